#!/usr/bin/env python3
"""Writes the Fashion-MNIST subsets of the transfer benchmark (issue 25, target 6) as IDX folders.

    python3 scripts/fashion_transfer_subsets.py OUT [--source /usr/share/datasets/fashion-mnist] [--rows 1000]

OUT/pretrain  train: every training image of classes 0-4 (30,000); t10k: the test images of classes 0-4 (5,000)
OUT/finetune  train: the first ROWS training images (file order) of classes 5-9, labels minus 5 (0-4);
              t10k: the 5,000 test images of classes 5-9, labels minus 5

Images are copied byte for byte (uncompressed IDX); nothing is drawn at random. Needs numpy.
"""
import argparse
import gzip
import os

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with open(path, "wb") as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def find(source, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(source, candidate)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{source}: no {name} (or {name}.gz)")


def write_folder(folder, train_x, train_y, test_x, test_y):
    os.makedirs(folder, exist_ok=True)
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), train_x)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte"), train_y)
    write_idx(os.path.join(folder, "t10k-images-idx3-ubyte"), test_x)
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), test_y)
    print(f"{folder}: {len(train_y)} training images, {len(test_y)} test images, labels {sorted(set(train_y.tolist()))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--source", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--rows", type=int, default=1000, help="training images of classes 5-9 (default 1000)")
    args = parser.parse_args()
    x = read_idx(find(args.source, "train-images-idx3-ubyte"))
    y = read_idx(find(args.source, "train-labels-idx1-ubyte"))
    tx = read_idx(find(args.source, "t10k-images-idx3-ubyte"))
    ty = read_idx(find(args.source, "t10k-labels-idx1-ubyte"))
    first, test_first = y < 5, ty < 5
    write_folder(os.path.join(args.out, "pretrain"), x[first], y[first], tx[test_first], ty[test_first])
    later = np.flatnonzero(y >= 5)[:args.rows]
    write_folder(os.path.join(args.out, "finetune"), x[later], y[later] - 5, tx[~test_first], ty[~test_first] - 5)


if __name__ == "__main__":
    main()
