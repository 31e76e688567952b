"""Turning a drawing or a picture into the network's input: a 20x20 digit framed like MNIST, unrolled column-major."""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitdemo.data import MNIST_SIDE, mnist_to_lab
from digitdemo.errors import ImageError
from digitdemo.images import decode_image

INK_THRESHOLD = 0.1  # fraction of full intensity below which a pixel is background
DIGIT_BOX = 20  # MNIST fits each digit into a 20x20 box inside its 28x28 frame
MIN_INK_PIXELS = 4


def load_image(image: np.ndarray | Image.Image | bytes) -> np.ndarray:
    """An image as bytes, PIL image, or (H, W), (H, W, 3), (H, W, 4) uint8 array -> (H, W) float32 ink 0..1."""
    if isinstance(image, (bytes, bytearray, Image.Image)):
        image = decode_image(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 4:
        alpha = array[..., 3].astype(np.float32) / 255.0
        if alpha.min() < 1.0:  # ink only in alpha: a transparent background
            gray = array[..., :3].astype(np.float32).mean(axis=2) / 255.0
            return ink_from_gray(gray * alpha + (1 - alpha) * _background(gray, alpha))
        array = array[..., :3]
    if array.ndim == 3 and array.shape[2] == 3:
        array = array.astype(np.float32).mean(axis=2)
    if array.ndim != 2:
        raise ImageError(f"Expected an image of shape (H, W), (H, W, 3) or (H, W, 4); got {array.shape}.")
    return ink_from_gray(array.astype(np.float32) / 255.0)


def _background(gray: np.ndarray, alpha: np.ndarray) -> float:
    """The colour opposite the ink, so transparent pixels count as paper."""
    inked = alpha > 0.5
    return 0.0 if not inked.any() or gray[inked].mean() > 0.5 else 1.0


def ink_from_gray(gray: np.ndarray) -> np.ndarray:
    """(H, W) gray 0..1 -> (H, W) ink 0..1, light on dark, whichever polarity the picture had."""
    # The border is mostly paper: if it is light, the ink is dark.
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return 1.0 - gray if np.median(border) > 0.5 else gray


def frame_like_mnist(ink: np.ndarray) -> np.ndarray | None:
    """(H, W) ink 0..1 -> (28, 28) uint8 MNIST-style: cropped, fit in 20x20 keeping aspect, centred by mass; None if blank."""
    mask = ink > INK_THRESHOLD
    if mask.sum() < MIN_INK_PIXELS:
        return None
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    digit = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS))
    digit = np.clip(digit, 0, 1)
    frame = np.zeros((MNIST_SIDE, MNIST_SIDE), np.float32)
    weights = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(digit.shape[0])) / weights
    cx = (digit.sum(axis=0) @ np.arange(digit.shape[1])) / weights
    top = int(np.clip(round(MNIST_SIDE / 2 - 0.5 - cy), 0, MNIST_SIDE - digit.shape[0]))
    left = int(np.clip(round(MNIST_SIDE / 2 - 0.5 - cx), 0, MNIST_SIDE - digit.shape[1]))
    frame[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return np.round(frame * 255).astype(np.uint8)


def preprocess(image: np.ndarray | Image.Image | bytes) -> np.ndarray | None:
    """A drawing or picture -> (400,) float32 in the lab layout, or None when nothing is drawn."""
    framed = frame_like_mnist(load_image(image))
    if framed is None:
        return None
    return mnist_to_lab(framed[None])[0]
