"""gluon.data.vision MNIST / FashionMNIST / CIFAR10 / CIFAR100 read tiny files in the real formats and give
what MXNet 1.9.1 gives (tests/data/vision_datasets/make_vision_datasets.py); no download, clear errors."""
import gzip
import os
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

import ssdkit as mx
from ssdkit.gluon.data import DataLoader
from ssdkit.gluon.data.vision import CIFAR10, CIFAR100, MNIST, DatasetFilesMissing, FashionMNIST, transforms

DATA = np.load(Path(__file__).resolve().parent / "data" / "vision_datasets" / "vision_datasets.npz")
CIFAR10_BATCHES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]


def write_idx(path, magic, array):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">" + "I" * (1 + array.ndim), magic, *array.shape) + array.tobytes())


def cifar_bytes(images, *labels):
    label_cols = np.stack(labels, axis=1).astype(np.uint8)
    pixels = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([label_cols, pixels], axis=1).tobytes()


def mnist_root(tmp_path, name):
    root = tmp_path / name
    root.mkdir()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", 2051, DATA[f"raw_{name}_{split}_images"])
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", 2049, DATA[f"raw_{name}_{split}_labels"])
    return root


def cifar10_files(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for k, name in enumerate(CIFAR10_BATCHES):
        (folder / name).write_bytes(cifar_bytes(DATA[f"raw_cifar10_{k}_images"], DATA[f"raw_cifar10_{k}_labels"]))


def samples(ds):
    images = np.stack([ds[i][0].asnumpy() for i in range(len(ds))])
    return images, np.array([ds[i][1] for i in range(len(ds))])


def check(ds, key):
    images, labels = samples(ds)
    np.testing.assert_array_equal(images, DATA[f"mx_{key}_images"])
    np.testing.assert_array_equal(labels, DATA[f"mx_{key}_labels"])
    assert isinstance(ds[0][0], mx.nd.NDArray) and ds[0][0].dtype == np.uint8
    assert np.asarray(ds[0][1]).dtype == np.dtype(str(DATA["mx_label_dtype"]))


@pytest.mark.parametrize("name,cls", [("mnist", MNIST), ("fashion", FashionMNIST)])
@pytest.mark.parametrize("split", ["train", "test"])
def test_mnist_idx_files(tmp_path, name, cls, split):
    ds = cls(str(mnist_root(tmp_path, name)), train=split == "train")
    assert ds[0][0].shape == (28, 28, 1)
    check(ds, f"{name}_{split}")


def test_mnist_uncompressed_idx_files(tmp_path):
    root = mnist_root(tmp_path, "mnist")
    for path in root.glob("t10k-*.gz"):
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    check(MNIST(str(root), train=False), "mnist_test")


@pytest.mark.parametrize("layout", ["root", "subfolder", "archive"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_cifar10_binary_batches(tmp_path, layout, split):
    root = tmp_path / "cifar10"
    if layout == "root":
        cifar10_files(root)
    elif layout == "subfolder":
        cifar10_files(root / "cifar-10-batches-bin")
    else:
        cifar10_files(tmp_path / "staging" / "cifar-10-batches-bin")
        root.mkdir()
        with tarfile.open(root / "cifar-10-binary.tar.gz", "w:gz") as tar:
            tar.add(tmp_path / "staging" / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
    ds = CIFAR10(str(root), train=split == "train")
    assert ds[0][0].shape == (32, 32, 3)
    check(ds, f"cifar10_{split}")
    if layout == "archive":   # only the batches this split needs were extracted, next to the archive
        wanted = CIFAR10_BATCHES[:5] if split == "train" else CIFAR10_BATCHES[5:]
        assert sorted(p.name for p in root.glob("*.bin")) == sorted(wanted)


@pytest.mark.parametrize("fine", [False, True])
@pytest.mark.parametrize("split", ["train", "test"])
def test_cifar100_coarse_and_fine_labels(tmp_path, fine, split):
    root = tmp_path / "c100"
    root.mkdir()
    for s in ("train", "test"):
        (root / f"{s}.bin").write_bytes(cifar_bytes(DATA[f"raw_cifar100_{s}_images"], DATA[f"raw_cifar100_{s}_coarse"],
                                                    DATA[f"raw_cifar100_{s}_fine"]))
    check(CIFAR100(str(root), fine_label=fine, train=split == "train"),
          f"cifar100_{split}_{'fine' if fine else 'coarse'}")


def test_transform_and_transform_first_through_a_dataloader(tmp_path):
    root = str(mnist_root(tmp_path, "mnist"))
    scaled = MNIST(root, transform=lambda img, label: (img.astype("float32") / 255, label + 1))
    assert float(scaled[0][0].asnumpy().max()) <= 1.0 and scaled[0][1] == DATA["mx_mnist_train_labels"][0] + 1
    ds = MNIST(root).transform_first(transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.13, 0.31)]))
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    want = (DATA["mx_mnist_train_images"][:4].transpose(0, 3, 1, 2) / np.float32(255) - np.float32(0.13)) / np.float32(0.31)
    assert x.shape == (4, 1, 28, 28)
    np.testing.assert_allclose(x.asnumpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(y.asnumpy(), DATA["mx_mnist_train_labels"][:4])


def test_missing_files_name_files_folder_and_mxnet_url(tmp_path):
    with pytest.raises(DatasetFilesMissing) as err:
        FashionMNIST(str(tmp_path), train=False)
    text = str(err.value)
    assert "t10k-images-idx3-ubyte.gz" in text and str(tmp_path) in text and "does not download" in text
    assert "/gluon/dataset/fashion-mnist/t10k-labels-idx1-ubyte.gz" in text
    with pytest.raises(FileNotFoundError, match="cifar-100-binary.tar.gz"):
        CIFAR100(str(tmp_path))
    assert list(tmp_path.iterdir()) == []   # nothing created


def test_malformed_files_are_named(tmp_path):
    root = mnist_root(tmp_path, "mnist")
    write_idx(root / "t10k-labels-idx1-ubyte.gz", 2049, np.zeros(7, np.uint8))
    with pytest.raises(mx.base.MXNetError, match="holds 3 images but .* 7 labels"):
        MNIST(str(root), train=False)
    write_idx(root / "t10k-labels-idx1-ubyte.gz", 2051, np.zeros(3, np.uint8))
    with pytest.raises(mx.base.MXNetError, match="magic number 2051, expected 2049"):
        MNIST(str(root), train=False)
    (tmp_path / "c10").mkdir()
    (tmp_path / "c10" / "test_batch.bin").write_bytes(b"\0" * 100)
    with pytest.raises(mx.base.MXNetError, match="test_batch.bin holds 100 bytes"):
        CIFAR10(str(tmp_path / "c10"), train=False)


def test_default_roots_follow_mxnet_home():
    import inspect
    home = mx.base.data_dir()
    for cls, name in ((MNIST, "mnist"), (FashionMNIST, "fashion-mnist"), (CIFAR10, "cifar10"), (CIFAR100, "cifar100")):
        assert inspect.signature(cls).parameters["root"].default == os.path.join(home, "datasets", name)
