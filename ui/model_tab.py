"""Placeholder until its tab is built."""

import streamlit as st


def render(model, dataset) -> None:
    st.info("model_tab")
