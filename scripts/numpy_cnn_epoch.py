#!/usr/bin/env python3
"""Fashion-MNIST CNN training epochs in plain NumPy (im2col), timed in-process: the yardstick for cltrain's CNN.

What it measures: seconds per training epoch of the CNN recipe (forward, backward, Adam, inverted dropout over
the 60000 training images), float32 throughout, in NumPy with OpenBLAS doing the matrix products, and (with
--torch) the same network's epoch in PyTorch on the CPU with --threads threads, in the same run and on the same
data. After the epochs it prints each side's test accuracy, as a check that it learns.

The work is what cltrain's recipe does: images HWC; conv = same padding, stride 1, as im2col (rows N*H*W,
columns ky,kx,c) times a (k*k*C, F) weight matrix, plus bias; the backward pass computes the weight gradient
from the same columns, and the input gradient as the columns' gradient folded back by col2im (not for the first
conv, whose input is the image: neither cltrain nor PyTorch needs that gradient); relu; maxpool:K with a K x K
window and stride K, the gradient routed to the first maximum of each window; flatten; dense; inverted
dropout (mask drawn per batch); softmax with cross-entropy; Adam (b1 0.9, b2 0.999, eps 1e-8, bias-corrected)
on every weight and bias; He-normal weights, biases 0; pixels scaled by 1/255; the training set reshuffled every
epoch, batches of --batch, the last partial batch kept. Loading the data, building the net and the test
evaluation are not timed; each epoch is timed on its own, and the per-batch loss is summed as cltrain reports
it. Nothing is skipped or approximated for speed on either side.

  /usr/bin/python3 scripts/numpy_cnn_epoch.py [--epochs N] [--batch B] [--data DIR] [--torch] [--threads T]
      [--net conv:32:3,relu,maxpool:2,conv:32:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10]
      [--lr 0.001] [--seed 0] [--torch-threads T] [--no-numpy]

--threads (default 2) sets OpenBLAS's threads before NumPy loads, and torch.set_num_threads for --torch unless
--torch-threads says otherwise; --no-numpy times PyTorch alone. On a loaded machine PyTorch's OpenMP threads
spin: its 2-thread epoch can then take several times its 1-thread epoch, so say the load (uptime) with the times.
The default --net is the recipe that scripts/torch_cnn_recipe.py chose (scripts/torch_cnn_recipe.txt).
--data defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist; IDX, gzipped or not).
"""
import argparse
import os
import sys
import time

DEFAULT_NET = "conv:32:3,relu,maxpool:2,conv:32:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
parser.add_argument("--net", default=DEFAULT_NET)
parser.add_argument("--lr", type=float, default=0.001)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--torch", action="store_true", help="also time the same net in PyTorch")
parser.add_argument("--torch-threads", type=int, default=0, help="PyTorch's threads (default: --threads)")
parser.add_argument("--no-numpy", action="store_true", help="time PyTorch alone (with --torch)")
args = parser.parse_args()
if args.threads > 0:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402  (after the thread variables)

import idx_files  # noqa: E402

F32 = np.float32


# N, H, W, C = 1 (HWC images)
x_train, y_train, x_test, y_test = idx_files.fashion(args.data, "numpy_cnn_epoch.py")
x_train, x_test = x_train[..., None], x_test[..., None]
rng = np.random.default_rng(args.seed)


def he(fan_in, shape):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(F32)


class Conv:
    """Same padding, stride 1, NHWC; im2col then one GEMM."""

    def __init__(self, shape, f, k, first):
        h, w, c = shape
        self.k, self.c, self.f, self.first = k, c, f, first
        self.w = he(k * k * c, (k * k * c, f))
        self.b = np.zeros(f, F32)
        self.params = [self.w, self.b]
        self.out_shape = (h, w, f)

    def forward(self, x, train):
        n, h, w, c = x.shape
        k, p = self.k, self.k // 2
        xp = np.zeros((n, h + 2 * p, w + 2 * p, c), F32)
        xp[:, p:p + h, p:p + w, :] = x
        cols = np.empty((n, h, w, k * k, c), F32)
        for dy in range(k):
            for dx in range(k):
                cols[:, :, :, dy * k + dx, :] = xp[:, dy:dy + h, dx:dx + w, :]
        cols = cols.reshape(n * h * w, k * k * c)
        self.cols, self.in_shape = cols, x.shape
        out = cols @ self.w
        out += self.b
        return out.reshape(n, h, w, self.f)

    def backward(self, dout):
        n, h, w, c = self.in_shape
        k, p = self.k, self.k // 2
        d = dout.reshape(n * h * w, self.f)
        self.grads = [self.cols.T @ d, d.sum(axis=0)]
        if self.first:
            return None
        dcols = (d @ self.w.T).reshape(n, h, w, k * k, c)
        dxp = np.zeros((n, h + 2 * p, w + 2 * p, c), F32)
        for dy in range(k):
            for dx in range(k):
                dxp[:, dy:dy + h, dx:dx + w, :] += dcols[:, :, :, dy * k + dx, :]
        return dxp[:, p:p + h, p:p + w, :]


class Relu:
    params = []

    def __init__(self, shape):
        self.out_shape = shape

    def forward(self, x, train):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class MaxPool:
    params = []

    def __init__(self, shape, k):
        h, w, c = shape
        self.k = k
        self.out_shape = (h // k, w // k, c)

    def forward(self, x, train):
        n, h, w, c = x.shape
        k = self.k
        ho, wo = h // k, w // k
        # windows as the last axis: (n, ho, wo, c, k*k)
        win = x[:, :ho * k, :wo * k, :].reshape(n, ho, k, wo, k, c).transpose(0, 1, 3, 5, 2, 4).reshape(
            n, ho, wo, c, k * k)
        self.arg = win.argmax(axis=4)
        self.in_shape = x.shape
        return np.take_along_axis(win, self.arg[..., None], axis=4)[..., 0]

    def backward(self, dout):
        n, h, w, c = self.in_shape
        k = self.k
        ho, wo = h // k, w // k
        win = np.zeros((n, ho, wo, c, k * k), F32)
        np.put_along_axis(win, self.arg[..., None], dout[..., None], axis=4)
        dx = np.zeros(self.in_shape, F32)
        dx[:, :ho * k, :wo * k, :] = win.reshape(n, ho, wo, c, k, k).transpose(0, 1, 4, 2, 5, 3).reshape(
            n, ho * k, wo * k, c)
        return dx


class Flatten:
    params = []

    def __init__(self, shape):
        self.out_shape = (int(np.prod(shape)),)

    def forward(self, x, train):
        self.in_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.in_shape)


class Dense:
    def __init__(self, shape, n):
        (i,) = shape
        self.w = he(i, (i, n))
        self.b = np.zeros(n, F32)
        self.params = [self.w, self.b]
        self.out_shape = (n,)

    def forward(self, x, train):
        self.x = x
        out = x @ self.w
        out += self.b
        return out

    def backward(self, dout):
        self.grads = [self.x.T @ dout, dout.sum(axis=0)]
        return dout @ self.w.T


class Dropout:
    params = []

    def __init__(self, shape, rate):
        self.keep = F32(1 - rate)
        self.out_shape = shape

    def forward(self, x, train):
        if not train:
            return x
        self.mask = (rng.random(x.shape, dtype=F32) < self.keep) * (F32(1) / self.keep)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


def build(spec):
    shape, layers = (28, 28, 1), []
    for tok in spec.split(","):
        parts = tok.split(":")
        kind = parts[0]
        if kind == "conv":
            layer = Conv(shape, int(parts[1]), int(parts[2]), first=not layers)
        elif kind == "relu":
            layer = Relu(shape)
        elif kind == "maxpool":
            layer = MaxPool(shape, int(parts[1]))
        elif kind == "flatten":
            layer = Flatten(shape)
        elif kind == "dense":
            layer = Dense(shape, int(parts[1]))
        elif kind == "dropout":
            layer = Dropout(shape, float(parts[1]))
        else:
            sys.exit(f"numpy_cnn_epoch.py: unknown layer {tok}")
        layers.append(layer)
        shape = layer.out_shape
    return layers


layers = build(args.net)
params = [p for layer in layers for p in layer.params]
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]
lr, b1, b2, eps = F32(args.lr), F32(0.9), F32(0.999), F32(1e-8)


def forward(x, train):
    for layer in layers:
        x = layer.forward(x, train)
    return x


def numpy_epochs():
    step = 0
    times = []
    rows = len(x_train)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(rows)
        loss_sum, correct, batches = 0.0, 0, 0
        for s in range(0, rows, args.batch):
            ib = order[s:s + args.batch]
            xb, yb = x_train[ib], y_train[ib]
            n = len(ib)
            z = forward(xb, True)
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            prob = e / e.sum(axis=1, keepdims=True)
            loss_sum += float(-np.log(np.maximum(prob[np.arange(n), yb], np.finfo(F32).tiny)).mean())
            correct += int((prob.argmax(axis=1) == yb).sum())
            d = prob
            d[np.arange(n), yb] -= F32(1)
            d *= F32(1.0 / n)
            for layer in reversed(layers):
                d = layer.backward(d)
            step += 1
            c1 = F32(1 - b1 ** step)
            c2 = F32(1 - b2 ** step)
            grads = [g for layer in layers if layer.params for g in layer.grads]
            for p, g, mi, vi in zip(params, grads, m, v):
                mi *= b1
                mi += (F32(1) - b1) * g
                vi *= b2
                vi += (F32(1) - b2) * g * g
                p -= lr * (mi / c1) / (np.sqrt(vi / c2) + eps)
            batches += 1
        seconds = time.perf_counter() - start
        times.append(seconds)
        print(f"numpy epoch {epoch}: {seconds:.2f} s, loss {loss_sum / batches:.4f}, "
              f"training accuracy {correct / rows:.4f}", flush=True)
    correct = 0
    for s in range(0, len(x_test), 1000):
        correct += int((forward(x_test[s:s + 1000], False).argmax(axis=1) == y_test[s:s + 1000]).sum())
    return times, correct / len(x_test)


def torch_epochs():
    import torch
    import torch.nn as nn
    torch.set_num_threads(args.torch_threads or args.threads)
    torch.manual_seed(args.seed)
    mods, c = [], 1
    for tok in args.net.split(","):
        parts = tok.split(":")
        if parts[0] == "conv":
            f, k = int(parts[1]), int(parts[2])
            mods.append(nn.Conv2d(c, f, k, padding=k // 2))
            c = f
        elif parts[0] == "relu":
            mods.append(nn.ReLU())
        elif parts[0] == "maxpool":
            mods.append(nn.MaxPool2d(int(parts[1])))
        elif parts[0] == "flatten":
            mods.append(nn.Flatten())
        elif parts[0] == "dense":
            mods.append(nn.LazyLinear(int(parts[1])))
        elif parts[0] == "dropout":
            mods.append(nn.Dropout(float(parts[1])))
    net = nn.Sequential(*mods)
    net(torch.zeros(1, 1, 28, 28))  # materialise the lazy layers
    for mod in net.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(mod.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(mod.bias)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    lossf = nn.CrossEntropyLoss()
    # PyTorch's native layout, NCHW
    xtr = torch.from_numpy(np.ascontiguousarray(x_train.transpose(0, 3, 1, 2)))
    ytr = torch.from_numpy(y_train)
    xte = torch.from_numpy(np.ascontiguousarray(x_test.transpose(0, 3, 1, 2)))
    yte = torch.from_numpy(y_test)
    times = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(xtr)))
        loss_sum, batches = 0.0, 0
        for s in range(0, len(xtr), args.batch):
            ib = order[s:s + args.batch]
            opt.zero_grad()
            loss = lossf(net(xtr[ib]), ytr[ib])
            loss.backward()
            opt.step()
            loss_sum += float(loss)
            batches += 1
        seconds = time.perf_counter() - start
        times.append(seconds)
        print(f"torch epoch {epoch}: {seconds:.2f} s, loss {loss_sum / batches:.4f}", flush=True)
    net.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(xte), 1000):
            correct += int((net(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum())
    return times, correct / len(xte)


print(f"net {args.net}; batch {args.batch}, Adam lr {args.lr}, {args.epochs} epoch(s), {args.threads} thread(s), "
      f"NumPy {np.__version__}", flush=True)
if not args.no_numpy:
    np_times, np_acc = numpy_epochs()
    print(f"numpy: {sum(np_times) / len(np_times):.2f} s per epoch (min {min(np_times):.2f}), "
          f"test accuracy after {args.epochs} epoch(s) {np_acc:.4f}", flush=True)
if args.torch:
    import torch
    t_times, t_acc = torch_epochs()
    print(f"torch {torch.__version__} ({torch.get_num_threads()} thread(s)): {sum(t_times) / len(t_times):.2f} s per epoch (min {min(t_times):.2f}), "
          f"test accuracy after {args.epochs} epoch(s) {t_acc:.4f}", flush=True)
    if not args.no_numpy:
        print(f"numpy / torch: {sum(np_times) / sum(t_times):.2f}x the time")
