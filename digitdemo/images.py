"""Decoding uploaded pictures into arrays, refusing what is not a usable image."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, UnidentifiedImageError

from digitdemo.errors import ImageError


def decode_image(image: bytes | Image.Image) -> np.ndarray:
    """Image file bytes or a PIL image -> (H, W, 4) uint8 RGBA array."""
    if isinstance(image, (bytes, bytearray)):
        try:
            image = Image.open(io.BytesIO(image))
            image.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise ImageError(f"This file is not an image that can be read ({exc}).") from exc
    return np.asarray(image.convert("RGBA"))
