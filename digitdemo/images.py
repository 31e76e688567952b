"""Decoding uploaded pictures into arrays, refusing what is not a usable image before it costs memory.

Every refusal is an ImageError whose message says what is wrong and what to do.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from digitdemo.errors import ImageError

# Only the formats people upload; the rest of Pillow's decoders stay out of reach of a visitor's file.
FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")  # JPEG includes the MPO files some cameras write
FORMAT_NAMES = "PNG / JPEG / GIF / WebP / BMP"
MAX_PIXELS = 16_000_000  # checked on the header, before decoding: 16 MP decode to 64 MB of RGBA
MAX_SIDE = 1024  # larger pictures are scaled down: a digit needs no more, and preprocessing stays fast
MIN_SIDE = 8
WIDE_GRAY_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def open_image(data: bytes) -> Image.Image:
    """Image file bytes -> a lazily opened PIL image (header read, pixels not yet decoded)."""
    if not data:
        raise ImageError("image.empty")
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageError("image.far_too_large") from exc
    except Exception as exc:  # Pillow raises many types for files that are not images
        raise ImageError("image.not_a_picture", formats=FORMAT_NAMES) from exc


def check_size(width: int, height: int) -> None:
    """Refuse a picture of width x height pixels outside MIN_SIDE..MAX_PIXELS (for files: read from the header)."""
    if width * height > MAX_PIXELS:
        raise ImageError(
            "image.too_many_pixels", width=width, height=height, megapixels=width * height / 1e6, limit=MAX_PIXELS / 1e6
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError("image.too_small", width=width, height=height, min_side=MIN_SIDE)


def to_rgba(image: Image.Image) -> Image.Image:
    """Any decoded PIL image -> RGBA, scaling 16-bit, 32-bit and float grays to 0-255 (Pillow's convert clips them)."""
    if image.mode in WIDE_GRAY_MODES:
        gray = np.nan_to_num(np.asarray(image, dtype=np.float64))
        if image.mode.startswith("I;16"):
            top = 65535.0
        else:  # 32-bit int or float: whichever of the usual ranges (0-1, 0-255, 0-65535) holds the values
            top = next(limit for limit in (1.0, 255.0, 65535.0, np.inf) if gray.max() <= limit)
            top = top if np.isfinite(top) else gray.max()
        image = Image.fromarray(np.round(np.clip(gray / top, 0, 1) * 255).astype(np.uint8))
    return image.convert("RGBA")


def decode_image(image: bytes | Image.Image) -> np.ndarray:
    """Image file bytes or a PIL image -> (H, W, 4) uint8 RGBA, upright, at most MAX_SIDE on its long side.

    Refuses with ImageError: not an image, over MAX_PIXELS (checked before decoding), under MIN_SIDE, damaged.
    An animated image gives its first frame.
    """
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = open_image(bytes(image))
    elif not isinstance(image, Image.Image):
        raise ImageError("image.wrong_type", type_name=type(image).__name__)
    try:
        image.draft(None, (MAX_SIDE, MAX_SIDE))  # JPEG decodes at 1/2..1/8 scale when that still covers MAX_SIDE
    except Exception as exc:  # a header that parses but cannot be configured is a damaged file
        raise ImageError("image.damaged") from exc
    check_size(*image.size)
    try:
        image.seek(0)
        image.load()
        image = ImageOps.exif_transpose(image)
        image = to_rgba(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except Image.DecompressionBombError as exc:
        raise ImageError("image.far_too_large") from exc
    except Exception as exc:  # truncated data, a bad palette, broken EXIF: decoders raise many types
        raise ImageError("image.incomplete") from exc
    return np.asarray(image)


def check_array(array: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1|3|4) array -> the same picture, (H, W, 1) squeezed: uint8 0-255 (bool, int) or float32 0..1."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ImageError("image.wrong_shape", shape=array.shape)
    check_size(array.shape[1], array.shape[0])
    if array.dtype == np.uint8:  # already what it should be: no copy, which on a large canvas is not cheap
        return array
    if array.dtype.kind == "b":
        return array.astype(np.uint8) * 255
    if array.dtype.kind in "iu":
        return np.clip(array, 0, 255).astype(np.uint8)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ImageError("image.not_finite")
        return np.clip(array, 0, 1).astype(np.float32)
    raise ImageError("image.not_numbers", dtype=array.dtype)
