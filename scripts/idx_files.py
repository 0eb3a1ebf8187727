"""The IDX files (MNIST, Fashion-MNIST) the yardstick scripts read, gzip or not: one reader for all of them.

  import idx_files                                  # from a script in scripts/ (its folder is on sys.path)
  x_train, y_train, x_test, y_test = idx_files.fashion("/usr/share/datasets/fashion-mnist", "my_script.py")

Pixels are scaled as cltrain scales IDX pixels (float32 v / 255), images N x H x W, labels int64.
"""
import gzip
import os
import sys

import numpy as np


def read(folder, name, script):
    """The array in folder/name or folder/name.gz (uint8, the header's shape); exits naming script if neither."""
    for cand in (name, name + ".gz"):
        path = os.path.join(folder, cand)
        if os.path.exists(path):
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"{script}: {name} not found in {folder}")


def fashion(folder, script):
    """(train images, train labels, test images, test labels): images float32 / 255, N x H x W; labels int64."""
    def images(name):
        return read(folder, name, script).astype(np.float32) / np.float32(255)

    def labels(name):
        return read(folder, name, script).astype(np.int64)

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))
