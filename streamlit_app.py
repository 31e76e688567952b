"""digitdemo: draw a digit and watch the lab's network recognise it."""

import numpy as np
import streamlit as st

from digitdemo.data import Dataset, load_dataset
from digitdemo.inference import NumpyModel, load_model

st.set_page_config(page_title="digitdemo", page_icon="✏️", layout="wide")


@st.cache_data
def cached_dataset() -> Dataset:
    return load_dataset()


@st.cache_resource
def cached_model(name: str) -> NumpyModel:
    return load_model(name)


dataset = cached_dataset()
model = cached_model("lab")
index = st.number_input("Training example / 训练样本", 0, len(dataset.X) - 1, 1015, key="draw_example")
probs = model.predict_proba(dataset.X[index])[0]
st.metric("Prediction / 预测", int(np.argmax(probs)), f"{probs.max():.1%}")
