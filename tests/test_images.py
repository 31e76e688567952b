"""Decoding uploads: every kind of awkward picture is read the right way up or refused with an ImageError."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFile

from digitdemo.errors import ImageError
from digitdemo.images import MAX_PIXELS, MAX_SIDE, check_array, check_size, decode_image
from digitdemo.preprocess import preprocess


def seven(size: tuple[int, int] = (120, 160)) -> Image.Image:
    """A white "7" on black, taller than wide: rotating or flipping it shows."""
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.line([(w * 0.2, h * 0.15), (w * 0.8, h * 0.15), (w * 0.4, h * 0.85)], fill=255, width=max(2, w // 10))
    return image


def encode(image: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but whose data is a few bytes: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.fixture
def no_decoding(monkeypatch):
    """Make any pixel decoding fail loudly, to prove a refusal came from the header alone."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


@pytest.mark.parametrize(
    ("data", "msg_id"),
    [
        (b"", "image.empty"),
        (b"hello, this is a text file\n" * 10, "image.not_a_picture"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "image.not_a_picture"),
        (encode(seven(), "TIFF"), "image.not_a_picture"),
    ],
)
def test_not_an_image_is_refused(data, msg_id):
    """Empty bytes, text, a PDF and a format outside the upload list are refused with a message saying so, which
    names the formats that are read."""
    with pytest.raises(ImageError) as info:
        decode_image(data)
    assert info.value.msg_id == msg_id
    if msg_id == "image.not_a_picture":
        assert "PNG / JPEG / GIF / WebP / BMP" in str(info.value)


def test_truncated_png_is_refused():
    """A PNG cut in half raises an ImageError saying it is incomplete, not an OSError."""
    data = encode(seven((200, 200)))
    with pytest.raises(ImageError, match="damaged or incomplete"):
        decode_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused_from_its_header(no_decoding):
    """A header claiming 5000 x 5000 pixels (over the limit) is refused before any pixel is decoded."""
    assert 5000 * 5000 > MAX_PIXELS
    with pytest.raises(ImageError, match=r"5000 x 5000 pixels \(25 megapixels\); the limit is 16"):
        decode_image(png_header_only(5000, 5000))


def test_giant_bomb_is_refused_by_pillow_at_open(no_decoding):
    """A header claiming 100,000 x 100,000 pixels, beyond Pillow's own guard, still gives an ImageError."""
    with pytest.raises(ImageError, match="too large"):
        decode_image(png_header_only(100_000, 100_000))


def test_real_bomb_png_is_refused():
    """A real 25-megapixel PNG of zeros (a few kilobytes on disk) is refused, not decoded to 100 MB."""
    data = encode(Image.new("1", (5000, 5000)), optimize=True)
    assert len(data) < 100_000
    with pytest.raises(ImageError, match="megapixels"):
        decode_image(data)


def test_size_limits_are_inclusive():
    """Exactly MAX_PIXELS and exactly 8 px on the short side are accepted; one pixel more or less is refused."""
    check_size(MAX_PIXELS // 4000, 4000)
    check_size(8, 8)
    with pytest.raises(ImageError):
        check_size(MAX_PIXELS // 4000 + 1, 4000)
    with pytest.raises(ImageError):
        check_size(7, 100)


def test_tiny_image_is_refused():
    """A 1x1 picture is refused with its size and the minimum, rather than predicted from one pixel."""
    with pytest.raises(ImageError, match=r"only 1 x 1 pixels"):
        decode_image(encode(Image.new("L", (1, 1), 255)))


def test_animated_gif_gives_its_first_frame():
    """An animated GIF decodes to its first frame, not the last one shown or all of them."""
    first, second = seven(), seven().transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    decoded = decode_image(data)
    np.testing.assert_array_equal(decoded[..., 0], np.asarray(first))


def test_sixteen_bit_png_keeps_its_grays():
    """A 16-bit grayscale PNG is scaled to 0-255 (Pillow's own conversion would turn it all white)."""
    gray16 = (np.asarray(seven(), np.uint16) * 257 // 2).astype(np.uint16)  # ink at half intensity
    image = Image.fromarray(gray16)
    assert image.mode.startswith("I;16")
    decoded = decode_image(encode(image))
    assert set(np.unique(decoded[..., 0])) == {0, 127}  # 32767 / 65535 of full scale
    assert np.all(decoded[..., 3] == 255)


@pytest.mark.parametrize(
    ("values", "mode", "expected"),
    [
        pytest.param([0, 200], "I;16", [0, 1], id="16-bit-dim: scaled by 65535, not by its own range"),
        pytest.param([0, 64379], "I;16", [0, 251], id="16-bit-bright: 64379 / 65535 of 255 is 250.502"),
        pytest.param([0, 128, 255], "I", [0, 128, 255], id="32-bit-in-0-255"),
        pytest.param([-30000, 64379, 65535], "I", [0, 251, 255], id="32-bit-in-0-65535-negative-clipped"),
        pytest.param([0, 500_000, 1_000_000], "I", [0, 128, 255], id="32-bit-beyond-65535-by-its-maximum"),
        pytest.param([0.0, 0.5], "F", [0, 128], id="float-in-0-1"),
    ],
)
def test_wide_grays_are_scaled_to_0_255(values, mode, expected):
    """16-bit, 32-bit and float grays are scaled by the usual range that holds them (0-1, 0-255, 0-65535), or by
    their maximum beyond that; negatives become 0."""
    dtype = {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
    row = np.array(values, dtype)
    image = Image.fromarray(np.repeat(np.tile(row, 8)[None], 8, axis=0))
    assert image.mode == mode
    np.testing.assert_array_equal(decode_image(image)[0, : len(values), 0], expected)


def test_palette_png_with_transparency():
    """A palette PNG whose background entry is transparent decodes to RGBA with that transparency."""
    image = seven().convert("P")
    data = encode(image, transparency=0)
    decoded = decode_image(data)
    ink = np.asarray(seven()) > 0
    assert np.all(decoded[~ink, 3] == 0) and np.all(decoded[ink, 3] == 255)
    assert preprocess(data) is not None


def test_cmyk_jpeg_matches_the_rgb_picture():
    """A CMYK JPEG decodes to the same picture as its RGB original, within JPEG's loss."""
    rgb = seven().convert("RGB")
    decoded = decode_image(encode(rgb.convert("CMYK"), "JPEG", quality=95))
    assert decoded.shape == (160, 120, 4)
    assert np.abs(decoded[..., :3].astype(int) - np.asarray(rgb)).mean() < 4


def test_exif_rotated_photo_is_turned_upright():
    """A JPEG stored on its side with EXIF orientation 6 (as phones save them) decodes upright."""
    upright = seven().convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # the sensor's view; EXIF 6 says turn it back
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
    decoded = decode_image(data)
    assert decoded.shape[:2] == (160, 120)
    assert correlation(decoded[..., 0], np.asarray(upright)[..., 0]) > 0.95
    assert correlation(preprocess(data), preprocess(np.asarray(upright))) > 0.95


def test_transparent_png_with_ink_only_in_alpha():
    """A transparent PNG whose digit exists only in its alpha channel gives the same input as white on black."""
    alpha = np.asarray(seven())
    rgba = np.zeros(alpha.shape + (4,), np.uint8)
    rgba[..., 3] = alpha
    data = encode(Image.fromarray(rgba))
    np.testing.assert_array_equal(decode_image(data)[..., 3], alpha)
    assert correlation(preprocess(data), preprocess(alpha)) > 0.95


def test_large_photo_is_scaled_down():
    """A 4000 x 3000 JPEG (under the pixel limit) comes back with its long side at MAX_SIDE, aspect kept."""
    photo = seven((3000, 4000)).convert("RGB")
    decoded = decode_image(encode(photo, "JPEG"))
    assert max(decoded.shape[:2]) == MAX_SIDE
    assert decoded.shape[0] / decoded.shape[1] == pytest.approx(4 / 3, rel=0.01)


def test_pil_images_of_unusual_modes():
    """PIL images in 1-bit, LA, 32-bit integer and float modes all decode to RGBA with the ink in place."""
    ink = np.asarray(seven()) > 0
    cases = [
        seven().convert("1"),
        seven().convert("LA"),
        Image.fromarray(ink.astype(np.int32) * 65535),
        Image.fromarray(ink.astype(np.float32)),
    ]
    for image in cases:
        decoded = decode_image(image)
        assert decoded.shape == (160, 120, 4), image.mode
        assert np.all(decoded[ink, 0] == 255) and np.all(decoded[~ink, 0] == 0), image.mode


def test_buffer_types_and_wrong_types():
    """bytearray and memoryview work like bytes; anything else is an ImageError naming its type."""
    data = encode(seven())
    expected = decode_image(data)
    np.testing.assert_array_equal(decode_image(bytearray(data)), expected)
    np.testing.assert_array_equal(decode_image(memoryview(data)), expected)
    with pytest.raises(ImageError, match="got str"):
        decode_image("digit.png")


def test_damaged_bytes_never_escape_as_other_errors():
    """Random corruption of a PNG and a JPEG's bytes gives a picture or an ImageError, never another exception."""
    rng = np.random.default_rng(0)
    for data in (encode(seven()), encode(seven().convert("RGB"), "JPEG")):
        for _ in range(60):
            damaged = bytearray(data)
            positions = rng.integers(0, len(damaged), size=rng.integers(1, 8))
            for position in positions:
                damaged[position] = rng.integers(0, 256)
            try:
                decoded = decode_image(bytes(damaged))
            except ImageError as exc:
                assert str(exc)
            else:
                assert decoded.dtype == np.uint8 and decoded.ndim == 3 and decoded.shape[2] == 4


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((0, 20)), r"only 20 x 0 pixels"),
        (np.zeros((20, 20, 2)), r"got \(20, 20, 2\)"),
        (np.zeros((2, 20, 20, 3)), r"got \(2, 20, 20, 3\)"),
        (np.full((20, 20), np.nan), "NaN or infinite"),
        (np.full((20, 20, 3), np.inf, np.float32), "NaN or infinite"),
        (np.full((20, 20), "ink"), "array of <U3"),
        (np.zeros((20, 20), complex), "array of complex128"),
    ],
)
def test_check_array_refuses_what_is_not_a_picture(array, message):
    """Empty, wrongly shaped, non-finite or non-numeric arrays are refused with an ImageError saying which."""
    with pytest.raises(ImageError, match=message):
        check_array(array)


def test_check_array_normalises_dtypes():
    """bool and int arrays become uint8 0-255 (clipped), float ones float32 0..1 (clipped); (H, W, 1) is squeezed."""
    boolean = check_array(np.eye(8, dtype=bool))
    assert boolean.dtype == np.uint8
    np.testing.assert_array_equal(boolean, np.eye(8, dtype=np.uint8) * 255)
    wide = check_array(np.array([[-5, 0, 100, 300, 70000] * 2] * 8, np.int64)[..., None])
    assert wide.dtype == np.uint8 and wide.shape == (8, 10)
    np.testing.assert_array_equal(wide[0, :5], [0, 0, 100, 255, 255])
    floats = check_array(np.array([[-0.5, 0.25, 2.0] * 3] * 8))
    assert floats.dtype == np.float32
    np.testing.assert_array_equal(floats[0, :3], [0, 0.25, 1])
