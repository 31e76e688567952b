"""Turning a drawing or a picture into the network's input: the ink found, framed and thickened like the training
digits, and for a model trained so, deskewed.

Each step is a small pure function; `preprocess_steps` returns the named intermediate images for display.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from digitdemo.data import MNIST_SIDE, SIDE, mnist_to_upright, roll_up, unroll
from digitdemo.images import check_array, decode_image

# Measured on the 5000 training digits of data/ (rolled up to 20x20, upsampled 4x bilinear, ink = value > 0.5;
# `measure_digits` does it and tests/test_preprocess.py checks these against the data): the longer side of the
# ink's box is 14.0 px (median; 5-95%: 13.5-14.5), the stroke width 1.84 px (median; 5-95%: 1.2-2.9), the centre of
# mass at pixel 9.85 on both axes (sd 0.2). In the 28x28 frame that mnist_to_lab
# shrinks by 20/28, that is a box of 19.6 px, strokes 2.57 px wide and the centre of mass at pixel 14.0.
TRAIN_BOX = 14.0
TRAIN_STROKE = 1.84
TRAIN_CENTRE = 9.85
FRAME_SCALE = MNIST_SIDE / SIDE  # mnist_to_lab shrinks the 28x28 frame to the 20x20 input
TARGET_BOX = TRAIN_BOX * FRAME_SCALE
TARGET_STROKE = TRAIN_STROKE * FRAME_SCALE
TARGET_CENTRE = (TRAIN_CENTRE + 0.5) * FRAME_SCALE - 0.5
SUPERSAMPLE = 4  # the digit is shaped at 4x the 28x28 frame, then averaged down: antialiasing and 1/4-px centring
MEASURE_THRESHOLD = 0.5

CANVAS_SIDE = 280  # px: the app's drawing canvas at its usual size, which the benchmarks' drawings copy
# Pictures are scaled down to this first: 7x the 20x20 input is detail enough, and a 280 px canvas costs a quarter.
WORK_SIDE = 140
BACKGROUND_WINDOW = 0.25  # fraction of the longer side: wider than any stroke, so the background estimate skips ink
BACKGROUND_STEP = 4  # the background is estimated on a 4x smaller copy: it varies slowly
FLAT_FRACTION = 0.5  # a picture with over half its pixels exactly the corner's value is a clean digital drawing
SMOOTHING_SIGMA = 1.0  # px: tames camera noise before separating ink from paper
MIN_CONTRAST = 0.1  # ink must differ from paper by a tenth of full intensity ...
MIN_SEPARATION = 5.0  # ... and by 5 standard deviations of the paper's noise
SPECK_FRACTION = 0.08  # ink blobs smaller than this share of the largest one are dirt, not strokes
MIN_EXTENT = 0.04  # ink spanning less than this fraction of the picture's longer side is a speck
MIN_EXTENT_STROKES = 1.8  # ink no longer than 1.8 stroke widths is a dot or a blob, not a digit
# Below this variance of its rows (px^2) ink is about one row tall (a dash): it has no slant to measure.
DESKEW_MIN_SPREAD = 1.0
INPUT_STEPS = ("deskewed", "network input")  # the last step the network reads, first found


def load_gray(image: np.ndarray | Image.Image | bytes, side: int | None = None) -> np.ndarray:
    """Bytes, PIL image, or (H, W), (H, W, 3), (H, W, 4) uint8 array -> (H, W) float32 gray 0..1, transparency
    flattened; with `side`, shrunk so that its longer side is at most `side` (antialiased)."""
    if isinstance(image, (bytes, bytearray, memoryview, Image.Image)):
        array = decode_image(image)
    else:
        array = check_array(image)
    if array.dtype != np.uint8:  # check_array gives floats as 0..1
        array = np.round(array * 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 4 and array[..., 3].min() < 255:
        # Transparent background: lay it on the ink's opposite, in floats at full size.
        gray = np.asarray(_luma(array), dtype=np.float32) / 255.0
        alpha = array[..., 3].astype(np.float32) / 255.0
        flat = gray * alpha + (1 - alpha) * _backdrop(gray, alpha)
        return flat if side is None else shrink(flat, side)
    luma = Image.fromarray(array, "L") if array.ndim == 2 else _luma(array)
    # Shrunk while still 8-bit, before a float copy of the whole picture exists: on a large canvas (a projector's)
    # that is most of the work, and the result differs from shrinking floats by at most half a level, 0.002.
    scale = 1.0 if side is None else side / max(array.shape[:2])
    if scale < 1:
        luma = luma.resize(scaled_size(array.shape[:2], scale), Image.Resampling.BILINEAR)
    return np.asarray(luma, dtype=np.float32) / 255.0


def _luma(array: np.ndarray) -> Image.Image:
    """(H, W, 3 or 4) uint8 -> its brightness as an 8-bit Pillow image (ITU-R 601 luma, done in C: it is fast)."""
    mode = "RGBA" if array.shape[2] == 4 else "RGB"
    return Image.fromarray(np.ascontiguousarray(array), mode).convert("L")


def _backdrop(gray: np.ndarray, alpha: np.ndarray) -> float:
    """The gray opposite the opaque pixels' colour, so transparent pixels count as paper."""
    opaque = alpha > 0.5
    return 0.0 if not opaque.any() or gray[opaque].mean() > 0.5 else 1.0


def shrink(gray: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """(H, W) float32 -> the same picture with its longer side at most `side` (antialiased)."""
    scale = side / max(gray.shape)
    return gray if scale >= 1 else resize_mask(gray, scale)  # gray is 0..1, so resize_mask's clip changes nothing


def scaled_size(shape: tuple[int, ...], scale: float) -> tuple[int, int]:
    """An (h, w, ...) array shape and a scale -> Pillow's (width, height) of the resized picture, at least 1 px each."""
    return max(1, round(shape[1] * scale)), max(1, round(shape[0] * scale))


def ink_polarity(gray: np.ndarray) -> np.ndarray:
    """(H, W) gray 0..1 -> (H, W) with the ink light on dark: inverted when the ink is darker than the paper."""
    # Paper is most of the picture, so the median is paper and the ink is the heavier tail away from it.
    paper = np.median(gray)
    darker = np.clip(paper - gray, 0, None).sum()
    lighter = np.clip(gray - paper, 0, None).sum()
    return 1.0 - gray if darker > lighter else gray


def is_flat_background(gray: np.ndarray) -> bool:
    """True for a digital drawing (most pixels exactly the corner's value): no light to flatten, no noise to smooth."""
    return np.count_nonzero(gray == gray[0, 0]) > FLAT_FRACTION * gray.size


def flatten_illumination(light_ink: np.ndarray) -> np.ndarray:
    """(H, W) light ink on a dark, unevenly lit background -> (H, W) float32 ink signal with the background at 0."""
    small = light_ink[::BACKGROUND_STEP, ::BACKGROUND_STEP]
    window = max(3, round(BACKGROUND_WINDOW * max(small.shape)))
    # An opening (min then max filter) wider than any stroke removes the ink and keeps the slow background.
    background = ndimage.grey_opening(small, size=(window, window), mode="nearest")
    size = (light_ink.shape[1], light_ink.shape[0])
    background = np.asarray(
        Image.fromarray(background.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR)
    )
    return np.clip(light_ink - background, 0, None).astype(np.float32)


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold of an array of values >= 0: the cut that maximises the between-class variance."""
    high = float(values.max())
    if high <= 0 or high == float(values.min()):  # one value only: nothing to split
        return high
    step = high / (bins - 1)
    counts = np.bincount(np.round(values.ravel() / step).astype(np.intp), minlength=bins)
    if np.count_nonzero(counts) < 2:  # values closer than one bin (a canvas at 254 and 255): nothing to split
        return high
    levels = np.arange(bins) * step
    weight = np.cumsum(counts)
    mass = np.cumsum(counts * levels)
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mass * weight / total - mass) ** 2 / (weight * (total - weight))
    return float(levels[np.nanargmax(between[:-1])] + step / 2)


def ink_mask(signal: np.ndarray, smooth_noise: bool = True) -> np.ndarray | None:
    """(H, W) ink signal >= 0 -> (H, W) bool mask of the ink, or None when nothing stands out from the paper."""
    smooth = ndimage.gaussian_filter(signal, SMOOTHING_SIGMA, truncate=2.0) if smooth_noise else signal
    cut = otsu_threshold(smooth)
    mask = smooth > cut
    if not mask.any() or mask.all():
        return None
    paper = smooth[~mask]
    contrast = smooth[mask].mean() - paper.mean()
    if contrast < MIN_CONTRAST or contrast < MIN_SEPARATION * paper.std():
        return None
    return mask


def drop_specks(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool mask -> the same without connected blobs smaller than SPECK_FRACTION of the largest."""
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count <= 1:
        return mask
    areas = np.bincount(labels.ravel())[1:]
    keep = np.flatnonzero(areas >= SPECK_FRACTION * areas.max()) + 1
    return np.isin(labels, keep)


def crop_to_ink(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool mask with some ink -> the smallest (h, w) window holding all of it."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def stroke_width(mask: np.ndarray) -> float:
    """(H, W) bool mask of strokes -> their mean width in pixels (4x the mean distance to the edge, less 2)."""
    # Across a stroke n px wide the distances to the nearest background pixel run 1, 2, ..., 2, 1: mean (n + 2) / 4.
    if not mask.any():
        return 0.0
    distance = ndimage.distance_transform_edt(np.pad(mask, 1))
    return max(1.0, 4.0 * float(distance[distance > 0].mean()) - 2.0)


def resize_mask(mask: np.ndarray, scale: float) -> np.ndarray:
    """(h, w) bool or 0..1 float -> (round(h*scale), round(w*scale)) float32 0..1, antialiased."""
    image = Image.fromarray(mask.astype(np.float32), mode="F")
    return np.clip(np.asarray(image.resize(scaled_size(mask.shape, scale), Image.Resampling.BILINEAR)), 0, 1)


def set_stroke_width(mask: np.ndarray, width: float, target: float) -> np.ndarray:
    """(h, w) bool strokes `width` px wide -> (h', w') bool strokes about `target` wide (grown or thinned evenly)."""
    radius = (target - width) / 2
    if radius > 0:  # grow: every pixel within `radius` of the ink
        pad = int(np.ceil(radius)) + 1
        return ndimage.distance_transform_edt(~np.pad(mask, pad)) <= radius + 0.5  # + 0.5: round, not floor
    if radius < 0:  # thin: every ink pixel farther than `-radius` from the paper, never thinning strokes away
        distance = ndimage.distance_transform_edt(np.pad(mask, 1))[1:-1, 1:-1]
        thinned = distance > min(0.5 - radius, 0.8 * distance.max() - 1)
        return thinned if thinned.any() else mask
    return mask


def relative_stroke_width(crop: np.ndarray) -> float:
    """(h, w) bool ink -> its stroke width as a fraction of its longer side, measured at 1-2x the working box."""
    extent = max(crop.shape)
    box = TARGET_BOX * SUPERSAMPLE
    side = max(box, min(extent, 2 * box))  # fine enough for thin pens, small enough to stay fast
    return stroke_width(resize_mask(crop, side / extent) > 0.5) / side


def fit_digit(crop: np.ndarray, relative_width: float) -> np.ndarray:
    """(h, w) bool ink whose strokes are `relative_width` of its longer side -> (b, b') float32 0..1 at
    SUPERSAMPLE x the 28x28 frame: longer side TARGET_BOX, strokes TARGET_STROKE."""
    box, target = TARGET_BOX * SUPERSAMPLE, TARGET_STROKE * SUPERSAMPLE
    width = relative_width * box
    # The box holds the strokes' centre lines plus one stroke width; scale the centre lines so that, once the
    # strokes have the training width, the whole digit fills the training box.
    scale = (box - target) / max(box - width, 0.25 * box)
    shaped = set_stroke_width(resize_mask(crop, scale * box / max(crop.shape)) > 0.5, width * scale, target)
    shaped = crop_to_ink(shaped) if shaped.any() else crop
    return resize_mask(shaped, box / max(shaped.shape))


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """(h, w) float32 0..1 at SUPERSAMPLE x -> (28, 28) float32 0..1, its centre of mass where the training digits
    have it."""
    side = MNIST_SIDE * SUPERSAMPLE
    frame = np.zeros((side, side), np.float32)
    h, w = min(digit.shape[0], side), min(digit.shape[1], side)
    digit = digit[:h, :w]
    mass = digit.sum()
    cy, cx = (digit.sum(axis=1) @ np.arange(h)) / mass, (digit.sum(axis=0) @ np.arange(w)) / mass
    centre = TARGET_CENTRE * SUPERSAMPLE + (SUPERSAMPLE - 1) / 2  # a frame pixel's centre in supersampled pixels
    top = int(np.clip(round(centre - cy), 0, side - h))
    left = int(np.clip(round(centre - cx), 0, side - w))
    frame[top : top + h, left : left + w] = digit
    return frame.reshape(MNIST_SIDE, SUPERSAMPLE, MNIST_SIDE, SUPERSAMPLE).mean(axis=(1, 3))


def is_speck(crop: np.ndarray, picture_side: int, relative_width: float) -> bool:
    """True when the (h, w) ink is too small for the picture, or no longer than a couple of stroke widths."""
    return max(crop.shape) < MIN_EXTENT * picture_side or relative_width * MIN_EXTENT_STROKES > 1


def skew(upright: np.ndarray) -> np.ndarray:
    """(20, 20) or (n, 20, 20) upright images -> () or (n,) float64 slant: how many columns the ink moves right per
    row down (its row-column covariance over its row variance), from the images' positive values as mass; 0 for an
    image with no ink or ink about one row tall."""
    weights = np.clip(np.asarray(upright, dtype=np.float64), 0, None)
    rows = np.arange(weights.shape[-2], dtype=np.float64)
    cols = np.arange(weights.shape[-1], dtype=np.float64)
    row_mass = weights.sum(axis=-1)
    mass = row_mass.sum(axis=-1)
    safe = np.where(mass > 0, mass, 1.0)
    dy = rows - (row_mass @ rows / safe)[..., None]
    var_y = (row_mass * dy**2).sum(axis=-1) / safe
    # sum w (r - cy)(c - cx) = sum w (r - cy) c, since sum w (r - cy) = 0.
    cov = np.einsum("...rc,...r,c->...", weights, dy, cols) / safe
    return np.where(var_y > DESKEW_MIN_SPREAD, cov / np.where(var_y > 0, var_y, 1.0), 0.0)


def deskew(upright: np.ndarray) -> np.ndarray:
    """(20, 20) or (n, 20, 20) upright images -> the same shape float32, each row shifted sideways in proportion to
    its distance from the centre of mass (a shear about it) so that the ink has no slant left; linear interpolation,
    zeros shifted in at the edges (LeCun et al.'s deskewed MNIST: moments, then a shear)."""
    images = np.asarray(upright, dtype=np.float32)
    batch = images.reshape((-1,) + images.shape[-2:])
    width = batch.shape[-1]
    weights = np.clip(batch, 0, None)
    row_mass = weights.sum(axis=-1)
    mass = row_mass.sum(axis=-1)
    rows = np.arange(batch.shape[-2], dtype=np.float64)
    centre = row_mass @ rows / np.where(mass > 0, mass, 1.0)
    shift = skew(batch)[:, None] * (rows[None] - centre[:, None])  # (n, rows): columns each row reads to its right
    source = np.arange(width)[None, None, :] + shift[:, :, None]
    left = np.floor(source).astype(np.intp)
    right_share = (source - left).astype(np.float32)

    def read(columns: np.ndarray) -> np.ndarray:
        values = np.take_along_axis(batch, np.clip(columns, 0, width - 1), axis=-1)
        return np.where((columns >= 0) & (columns < width), values, 0.0)

    out = read(left) * (1 - right_share) + read(left + 1) * right_share
    return out.astype(np.float32).reshape(images.shape)


def deskew_rows(X: np.ndarray) -> np.ndarray:
    """(n, 400) or (400,) lab rows (column-major) -> the same shape float32, each digit deskewed."""
    rows = np.asarray(X)
    return unroll(deskew(roll_up(rows.reshape(-1, rows.shape[-1])))).reshape(rows.shape)


def network_rows(X: np.ndarray, deskewed: bool) -> np.ndarray:
    """(n, 400) or (400,) framed rows (the dataset's, or `preprocess`'s without deskewing) -> the rows a model reads
    that was trained with deskewing (`deskewed`) or without: deskewed, or X itself."""
    return deskew_rows(X) if deskewed else X


def preprocess_steps(image: np.ndarray | Image.Image | bytes, deskewed: bool = False) -> dict[str, np.ndarray]:
    """A picture -> named steps, float32 images in 0..1: 'ink', 'cropped', 'scaled' (4x), 'centred' (28x28),
    'network input' (20x20 upright, the lab's range) and, with `deskewed`, 'deskewed' (the same sheared upright,
    which the network then reads); stops early (no 'centred') when nothing is drawn."""
    gray = load_gray(image, WORK_SIDE)
    light = ink_polarity(gray)
    flat = is_flat_background(light)  # a canvas: the photo-only steps would cost time and change nothing
    signal = light if flat else flatten_illumination(light)
    steps = {"ink": np.clip(signal / max(float(signal.max()), 1e-6), 0, 1)}
    mask = ink_mask(signal, smooth_noise=not flat)
    if mask is None:
        return steps
    mask = drop_specks(mask)
    crop = crop_to_ink(mask)
    steps["cropped"] = crop.astype(np.float32)
    relative_width = relative_stroke_width(crop)  # costly: measured once for both uses
    if is_speck(crop, max(gray.shape), relative_width):
        return steps
    steps["scaled"] = fit_digit(crop, relative_width)
    steps["centred"] = centre_by_mass(steps["scaled"])
    # Rounded to MNIST's 256 levels, as the training digits were, then shrunk to the upright 20x20 input.
    steps["network input"] = mnist_to_upright(np.round(steps["centred"] * 255)[None])[0]
    if deskewed:
        steps["deskewed"] = deskew(steps["network input"])
    return steps


def preprocess(image: np.ndarray | Image.Image | bytes, deskewed: bool = False) -> np.ndarray | None:
    """A drawing or picture -> (400,) float32 in the lab layout (deskewed with `deskewed`), or None when nothing (or
    only a speck) is drawn."""
    return steps_to_input(preprocess_steps(image, deskewed))


def plain_resize(image: np.ndarray | Image.Image | bytes) -> np.ndarray:
    """The naive path, without framing: the whole picture, ink made light, shrunk to 20x20 -> (400,) float32."""
    gray = ink_polarity(load_gray(image))
    small = Image.fromarray(gray, mode="F").resize((SIDE, SIDE), Image.Resampling.BILINEAR)
    return unroll(np.asarray(small)[None])[0]


def steps_to_input(steps: dict[str, np.ndarray]) -> np.ndarray | None:
    """`preprocess_steps`' result -> (400,) float32 in the lab layout, or None when it stopped before the input."""
    last = next((steps[name] for name in INPUT_STEPS if name in steps), None)
    return None if last is None else unroll(last[None])[0]


def measure_digits(images: np.ndarray) -> dict[str, np.ndarray]:
    """(n, 20, 20) upright lab digits -> per-digit 'box' (longer side, px), 'stroke' (px) and 'centre' (n, 2)."""
    boxes, strokes = [], []
    for image in images:
        mask = resize_mask(np.clip(image, 0, 1), SUPERSAMPLE) > MEASURE_THRESHOLD
        boxes.append(max(crop_to_ink(mask).shape) / SUPERSAMPLE)
        strokes.append(stroke_width(mask) / SUPERSAMPLE)
    weights = np.clip(images, 0, None)
    mass = weights.sum(axis=(1, 2))
    index = np.arange(images.shape[1])
    centre = np.stack([weights.sum(axis=2) @ index / mass, weights.sum(axis=1) @ index / mass], axis=1)
    return {"box": np.array(boxes), "stroke": np.array(strokes), "centre": centre}
