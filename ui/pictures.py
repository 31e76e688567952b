"""Pictures the tabs show as images: digits enlarged with visible pixels, signed weights in red and blue, grids of
tiles, and PNG data URLs for st.image."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from digitdemo.data import N_PIXELS, roll_up
from ui.theme import GRID_LEVEL, NEGATIVE_RGB, POSITIVE_RGB


def as_image(row_or_image: np.ndarray) -> np.ndarray:
    """A (400,) lab row or a (20, 20) image -> (20, 20) image the right way up."""
    array = np.asarray(row_or_image)
    return roll_up(array) if array.shape == (N_PIXELS,) else array


def enlarge(image: np.ndarray, scale: int, grid: bool) -> np.ndarray:
    """(h, w) or (h, w, 3) uint8 -> each pixel a scale x scale block, with a 1-pixel grid between blocks when asked."""
    big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    if grid and scale >= 4:
        big[::scale] = GRID_LEVEL
        big[:, ::scale] = GRID_LEVEL
    return big


def png_url(image: np.ndarray) -> str:
    """(h, w) or (h, w, 3) uint8 picture -> a data: URL of it as PNG, for st.image.

    Handed an array, st.image stores a quality-100 JPEG that the page then fetches: 32 KB for the 240 px digit the
    Draw tab shows on every stroke, against 1.1 KB of PNG here, which is lossless (the grid lines stay sharp) and
    comes inside the page's message, with no request per picture."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)  # level 1: pixel blocks compress anyway
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def digit_image(row_or_image: np.ndarray, scale: int = 12, grid: bool = True) -> np.ndarray:
    """A (400,) lab row or (20, 20) image, values about 0..1 -> (20*scale, 20*scale) uint8 gray for st.image."""
    image = np.clip(as_image(row_or_image), 0.0, 1.0)
    return enlarge(np.round(image * 255).astype(np.uint8), scale, grid)


def signed_image(row_or_image: np.ndarray, scale: int = 4, grid: bool = False) -> np.ndarray:
    """A (400,) row or (h, w) image of signed values -> (h*scale, w*scale, 3) uint8: red above 0, blue below, white
    0."""
    image = as_image(row_or_image).astype(np.float32)
    peak = float(np.abs(image).max()) or 1.0
    strength = np.abs(image / peak)[..., None]
    color = np.where(image[..., None] >= 0, POSITIVE_RGB, NEGATIVE_RGB)
    rgb = 255.0 * (1 - strength) + color * strength
    return enlarge(np.round(rgb).astype(np.uint8), scale, grid)


def tile_grid(tiles: list[np.ndarray], columns: int, gap: int = 4, fill: int = 255) -> np.ndarray:
    """Equal-sized (h, w) or (h, w, 3) uint8 tiles -> one uint8 image of `columns` per row, `gap` pixels apart."""
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    shape = (rows * (h + gap) - gap, columns * (w + gap) - gap) + tiles[0].shape[2:]
    grid = np.full(shape, fill, np.uint8)
    for i, tile in enumerate(tiles):
        top, left = (i // columns) * (h + gap), (i % columns) * (w + gap)
        grid[top : top + h, left : left + w] = tile
    return grid


def weight_tiles(W1: np.ndarray, scale: int = 4, border: int = 3) -> list[np.ndarray]:
    """(400, n) first-layer weights -> n RGB pictures (20*scale + 2*border square, 3) uint8 of the units' weight
    vectors, each in a white frame that keeps neighbouring tiles apart on the page."""
    frame = ((border, border), (border, border), (0, 0))
    return [np.pad(signed_image(W1[:, j], scale), frame, constant_values=255) for j in range(W1.shape[1])]
