"""Augmenting the training digits the way people's drawings differ: shifted, turned, resized, slanted, thicker or
thinner.

Works on the lab's 20x20 rows directly, so it needs only the training data (never the benchmark's drawings).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from digitdemo.data import SIDE, roll_up, unroll

CROSS = ndimage.generate_binary_structure(2, 1)[None]  # grows or thins strokes by one pixel in 4 directions


@dataclass(frozen=True)
class Augmentation:
    """Ranges of the random changes; each digit draws each change uniformly from its range."""

    shift: float = 1.5  # pixels of the 20x20 frame, each way
    rotation: float = 12.0  # degrees, each way
    scale: tuple[float, float] = (0.85, 1.1)  # whole-digit size
    stretch: float = 0.12  # width relative to height, each way
    slant: float = 0.35  # horizontal shear per pixel of height, each way (0.35 is about 20 degrees)
    thickness: float = 0.7  # fraction of a one-pixel dilation (positive) or erosion (negative), each way


def random_affines(n: int, rng: np.random.Generator, settings: Augmentation) -> tuple[np.ndarray, np.ndarray]:
    """n random (2, 2) matrices and (2,) shifts in (row, col) that map an output pixel to where it samples the input."""
    angle = np.radians(rng.uniform(-settings.rotation, settings.rotation, n))
    scale = rng.uniform(*settings.scale, n)
    stretch = np.exp(rng.uniform(-settings.stretch, settings.stretch, n))
    slant = rng.uniform(-settings.slant, settings.slant, n)
    cos, sin = np.cos(angle), np.sin(angle)
    rotate = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shear = np.zeros((n, 2, 2))
    shear[:, 0, 0] = shear[:, 1, 1] = 1
    shear[:, 1, 0] = -slant  # columns move with the row: a slant leaning right at the top
    size = np.zeros((n, 2, 2))
    size[:, 0, 0], size[:, 1, 1] = scale, scale * stretch
    forward = rotate @ shear @ size
    return np.linalg.inv(forward), rng.uniform(-settings.shift, settings.shift, (n, 2))


def warp(images: np.ndarray, inverse: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """(n, 20, 20) images, (n, 2, 2) inverse matrices, (n, 2) shifts -> (n, 20, 20) warped about the frame's centre."""
    n, side = len(images), images.shape[1]
    centre = (side - 1) / 2
    grid = np.stack(np.mgrid[0:side, 0:side], -1).reshape(-1, 2) - centre  # (side*side, 2) as (row, col)
    source = np.einsum("nij,pj->npi", inverse, grid) + centre - shift[:, None, :]
    index = np.broadcast_to(np.arange(n)[:, None], source.shape[:2])
    coords = np.stack([index, source[..., 0], source[..., 1]]).reshape(3, n, side, side)
    return ndimage.map_coordinates(images, coords, order=1, mode="constant", cval=0.0).astype(np.float32)


def change_thickness(images: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """(n, 20, 20) images, (n,) amounts in -1..1 -> strokes blended towards a 1-px dilation (> 0) or erosion (< 0)."""
    amount = amount[:, None, None]
    grown = ndimage.grey_dilation(images, footprint=CROSS)
    thinned = ndimage.grey_erosion(images, footprint=CROSS)
    target = np.where(amount > 0, grown, thinned)
    return (images + np.abs(amount) * (target - images)).astype(np.float32)


def augment(X: np.ndarray, rng: np.random.Generator, settings: Augmentation = Augmentation()) -> np.ndarray:
    """(n, 400) lab rows -> (n, 400) float32 rows, each randomly shifted, turned, resized, slanted and re-thickened."""
    images = roll_up(np.asarray(X, dtype=np.float32)).reshape(-1, SIDE, SIDE)
    inverse, shift = random_affines(len(images), rng, settings)
    warped = warp(images, inverse, shift)
    thick = change_thickness(warped, rng.uniform(-settings.thickness, settings.thickness, len(images)))
    return unroll(thick)


def augmented_copies(
    X: np.ndarray, y: np.ndarray, copies: int, seed: int, settings: Augmentation = Augmentation()
) -> tuple[np.ndarray, np.ndarray]:
    """X (m, 400), y (m, 1) -> the originals plus `copies` augmented versions: (k*m, 400), (k*m, 1), k = copies+1."""
    rng = np.random.default_rng(seed)
    rows = [np.asarray(X, dtype=np.float32)] + [augment(X, rng, settings) for _ in range(copies)]
    return np.concatenate(rows), np.tile(np.asarray(y).reshape(-1, 1), (copies + 1, 1))
