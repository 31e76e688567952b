"""Placeholder until its tab is built."""

import streamlit as st


def render() -> None:
    st.info("softmax")
