"""Oracle for gluon.data.vision MNIST / FashionMNIST / CIFAR10 / CIFAR100 from MXNet 1.9.1.

    /work/mxvenv/bin/python tests/data/vision_datasets/make_vision_datasets.py

Draws tiny random datasets, writes them in the published formats (idx .gz files; CIFAR binary batches,
CIFAR-10 packed as cifar-10-binary.tar.gz the way the Toronto archive is, inside cifar-10-batches-bin/)
into a temporary folder, and reads them back with MXNet's own classes (their download and SHA-1 check
replaced by "the file is here"). vision_datasets.npz keeps the raw arrays (``raw_*``, from which the test
writes the same files) and what MXNet returned (``mx_*``: every sample's image and label, train and test).
"""
import gzip
import os
import struct
import tarfile
import tempfile

import mxnet as mx
import numpy as np
from mxnet.gluon.data.vision import datasets as D

HERE = os.path.dirname(os.path.abspath(__file__))
R = np.random.RandomState(7)
OUT = {}


def write_idx(path, magic, array):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">" + "I" * (1 + array.ndim), magic, *array.shape) + array.astype(np.uint8).tobytes())


def cifar_records(images, *labels):
    rows = [np.concatenate([np.array(l, np.uint8), img.transpose(2, 0, 1).ravel()]) for img, *l in
            zip(images, *labels)]
    return np.stack(rows).tobytes()


D.download = lambda url, path=None, sha1_hash=None, **kw: os.path.join(path, url.split("/")[-1])
D.check_sha1 = lambda path, sha1: True

with tempfile.TemporaryDirectory() as tmp:
    for name, cls in (("mnist", D.MNIST), ("fashion", D.FashionMNIST)):
        root = os.path.join(tmp, name)
        os.makedirs(root)
        for split, prefix, n in (("train", "train", 5), ("test", "t10k", 3)):
            images = R.randint(0, 256, (n, 28, 28)).astype(np.uint8)
            labels = R.randint(0, 10, n).astype(np.uint8)
            OUT[f"raw_{name}_{split}_images"], OUT[f"raw_{name}_{split}_labels"] = images, labels
            write_idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz"), 2051, images)
            write_idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz"), 2049, labels)
        for split in ("train", "test"):
            ds = cls(root, train=split == "train")
            OUT[f"mx_{name}_{split}_images"] = np.stack([ds[i][0].asnumpy() for i in range(len(ds))])
            OUT[f"mx_{name}_{split}_labels"] = np.array([ds[i][1] for i in range(len(ds))])

    root = os.path.join(tmp, "cifar10")
    os.makedirs(os.path.join(root, "cifar-10-batches-bin"))
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    for k, bname in enumerate(names):
        images = R.randint(0, 256, (2, 32, 32, 3)).astype(np.uint8)
        labels = R.randint(0, 10, 2).astype(np.uint8)
        OUT[f"raw_cifar10_{k}_images"], OUT[f"raw_cifar10_{k}_labels"] = images, labels
        with open(os.path.join(root, "cifar-10-batches-bin", bname), "wb") as f:
            f.write(cifar_records(images, labels))
    with tarfile.open(os.path.join(root, "cifar-10-binary.tar.gz"), "w:gz") as tar:
        tar.add(os.path.join(root, "cifar-10-batches-bin"), arcname="cifar-10-batches-bin")
    for bname in names:   # MXNet reads the batches from root itself
        os.rename(os.path.join(root, "cifar-10-batches-bin", bname), os.path.join(root, bname))
    for split in ("train", "test"):
        ds = D.CIFAR10(root, train=split == "train")
        OUT[f"mx_cifar10_{split}_images"] = np.stack([ds[i][0].asnumpy() for i in range(len(ds))])
        OUT[f"mx_cifar10_{split}_labels"] = np.array([ds[i][1] for i in range(len(ds))])

    root = os.path.join(tmp, "cifar100")
    os.makedirs(root)
    for split, n in (("train", 4), ("test", 3)):
        images = R.randint(0, 256, (n, 32, 32, 3)).astype(np.uint8)
        coarse, fine = R.randint(0, 20, n).astype(np.uint8), R.randint(0, 100, n).astype(np.uint8)
        OUT[f"raw_cifar100_{split}_images"], OUT[f"raw_cifar100_{split}_coarse"] = images, coarse
        OUT[f"raw_cifar100_{split}_fine"] = fine
        with open(os.path.join(root, f"{split}.bin"), "wb") as f:
            f.write(cifar_records(images, coarse, fine))
    for split in ("train", "test"):
        for fine in (False, True):
            ds = D.CIFAR100(root, fine_label=fine, train=split == "train")
            key = f"mx_cifar100_{split}_{'fine' if fine else 'coarse'}"
            OUT[key + "_images"] = np.stack([ds[i][0].asnumpy() for i in range(len(ds))])
            OUT[key + "_labels"] = np.array([ds[i][1] for i in range(len(ds))])
    ds = D.CIFAR100(root, train=False)
    OUT["mx_label_dtype"] = np.array(str(np.asarray(ds[0][1]).dtype))
    OUT["mx_image_dtype"] = np.array(str(ds[0][0].dtype.__name__))

np.savez_compressed(os.path.join(HERE, "vision_datasets.npz"), **OUT)
print(len(OUT), "arrays, mxnet", mx.__version__)
