#!/usr/bin/env python3
"""One Fashion-MNIST training epoch in NumPy, the same work cltrain's recipe does per epoch, timed in-process.

784-256-128-10 MLP, relu hidden layers, softmax with cross-entropy, Adam (lr 0.001, b1 0.9, b2 0.999,
eps 1e-8, bias-corrected), batches of 128 over the 60000 training images (the last batch of 96 kept),
reshuffled each epoch; float32 throughout, He-normal initial weights. The loss and accuracy are computed per
batch as cltrain does. Loading and scaling the data is not timed; each epoch is timed on its own.

  python3 scripts/numpy_fashion_epoch.py [DIR] [--epochs N] [--threads T]

DIR defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist). --threads sets
OpenBLAS's threads (default: all cores) before NumPy loads.
"""
import argparse
import gzip
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("data", nargs="?", default="/usr/share/datasets/fashion-mnist")
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--threads", type=int, default=0)
args = parser.parse_args()
if args.threads > 0:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread variables)


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(args.data, candidate)
        if os.path.exists(path):
            return path
    sys.exit(f"numpy_fashion_epoch.py: {name} not found in {args.data}")


x = idx(find("train-images-idx3-ubyte")).reshape(60000, -1).astype(np.float32) / np.float32(255)
labels = idx(find("train-labels-idx1-ubyte")).astype(np.int64)
y = np.eye(10, dtype=np.float32)[labels]
rows = x.shape[0]

rng = np.random.default_rng(0)
widths = [784, 256, 128, 10]
W = [(rng.standard_normal((i, o)) * np.sqrt(2.0 / i)).astype(np.float32) for i, o in zip(widths, widths[1:])]
b = [np.zeros(o, dtype=np.float32) for o in widths[1:]]
params = W + b
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]
lr, b1, b2, eps = np.float32(0.001), np.float32(0.9), np.float32(0.999), np.float32(1e-8)
step = 0

for epoch in range(args.epochs):
    start = time.perf_counter()
    order = rng.permutation(rows)
    loss_sum = 0.0
    correct = 0
    for s in range(0, rows, args.batch_size):
        idx_b = order[s:s + args.batch_size]
        xb, yb = x[idx_b], y[idx_b]
        n = np.float32(len(idx_b))
        # forward
        acts = [xb]
        for layer in range(3):
            z = acts[-1] @ W[layer] + b[layer]
            if layer < 2:
                acts.append(np.maximum(z, 0))
            else:
                z = z - z.max(axis=1, keepdims=True)
                e = np.exp(z)
                acts.append(e / e.sum(axis=1, keepdims=True))
        p = acts[-1]
        loss_sum += float(-(yb * np.log(np.maximum(p, np.finfo(np.float32).tiny))).sum(axis=1).mean())
        correct += int((p.argmax(axis=1) == yb.argmax(axis=1)).sum())
        # backward
        dz = p - yb
        grads_w = [None] * 3
        grads_b = [None] * 3
        for layer in (2, 1, 0):
            grads_w[layer] = acts[layer].T @ dz / n
            grads_b[layer] = dz.sum(axis=0) / n
            if layer > 0:
                dz = (dz @ W[layer].T) * (acts[layer] > 0)
        # Adam
        step += 1
        c1 = np.float32(1 - b1 ** step)
        c2 = np.float32(1 - b2 ** step)
        for i, g in enumerate(grads_w + grads_b):
            m[i] *= b1
            m[i] += (1 - b1) * g
            v[i] *= b2
            v[i] += (1 - b2) * g * g
            params[i] -= lr * (m[i] / c1) / (np.sqrt(v[i] / c2) + eps)
    seconds = time.perf_counter() - start
    batches = (rows + args.batch_size - 1) // args.batch_size
    print(f"epoch {epoch}: {seconds:.3f} s, loss {loss_sum / batches:.4f}, accuracy {correct / rows:.4f}")
