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
FORMAT_NAMES = "PNG, JPEG, GIF, WebP or BMP"
MAX_PIXELS = 16_000_000  # checked on the header, before decoding: 16 MP decode to 64 MB of RGBA
MAX_SIDE = 1024  # larger pictures are scaled down: a digit needs no more, and preprocessing stays fast
MIN_SIDE = 8
WIDE_GRAY_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def open_image(data: bytes) -> Image.Image:
    """Image file bytes -> a lazily opened PIL image (header read, pixels not yet decoded)."""
    if not data:
        raise ImageError("The file is empty. Upload a picture of a digit.")
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"This picture is far too large to open ({exc}). Upload a smaller one.") from exc
    except Exception as exc:  # Pillow raises many types for files that are not images
        raise ImageError(
            f"This file is not a picture that can be read ({FORMAT_NAMES}). Upload a picture of a digit."
        ) from exc


def check_size(width: int, height: int) -> None:
    """Refuse a picture of width x height pixels outside MIN_SIDE..MAX_PIXELS (for files: read from the header)."""
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"This picture is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); the limit is "
            f"{MAX_PIXELS / 1e6:.0f} megapixels. Make it smaller and upload it again."
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            f"This picture is only {width} x {height} pixels; a digit needs at least {MIN_SIDE} x {MIN_SIDE}."
        )


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
        raise ImageError(f"Expected image file bytes or a PIL image; got {type(image).__name__}.")
    try:
        image.draft(None, (MAX_SIDE, MAX_SIDE))  # JPEG decodes at 1/2..1/8 scale when that still covers MAX_SIDE
    except Exception as exc:  # a header that parses but cannot be configured is a damaged file
        raise ImageError("This picture is damaged and cannot be read. Upload another one.") from exc
    check_size(*image.size)
    try:
        image.seek(0)
        image.load()
        image = ImageOps.exif_transpose(image)
        image = to_rgba(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"This picture is far too large to open ({exc}). Upload a smaller one.") from exc
    except Exception as exc:  # truncated data, a bad palette, broken EXIF: decoders raise many types
        raise ImageError(
            f"This picture is damaged or incomplete and cannot be read ({exc}). Upload it again or use another one."
        ) from exc
    return np.asarray(image)


def check_array(array: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1|3|4) array -> the same picture, (H, W, 1) squeezed: uint8 0-255 (bool, int) or float32 0..1."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (3, 4))):
        raise ImageError(f"Expected an image of shape (H, W), (H, W, 3) or (H, W, 4); got {array.shape}.")
    check_size(array.shape[1], array.shape[0])
    if array.dtype.kind == "b":
        return array.astype(np.uint8) * 255
    if array.dtype.kind in "iu":
        return np.clip(array, 0, 255).astype(np.uint8)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all():
            raise ImageError("The image holds NaN or infinite values; expected numbers from 0 to 1.")
        return np.clip(array, 0, 1).astype(np.float32)
    raise ImageError(f"Expected an image of numbers; got an array of {array.dtype}.")
