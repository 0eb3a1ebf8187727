#!/usr/bin/env python3
"""Fashion-MNIST CNN recipe search in PyTorch: trains one --net (cltrain's grammar) and prints the test accuracy per epoch.

What it measures: whether a candidate convolutional recipe reaches a given test accuracy within N epochs, and
what an epoch costs in PyTorch on the CPU (torch.set_num_threads, default 2). It mirrors cltrain's recipe:
conv = same padding, stride 1; relu; maxpool:K = K x K window, stride K; dense; inverted dropout; softmax with
cross-entropy; pixels scaled by 1/255, no standardisation; He-normal weights (fan-in, gain sqrt 2), biases 0;
Adam (b1 0.9, b2 0.999, eps 1e-8, bias-corrected) or SGD with momentum 0.9; mini-batches over a reshuffled
training set, the last partial batch kept. PyTorch holds images as NCHW where cltrain holds HWC; the network
is the same function up to the order of the flattened features.

  /usr/bin/python3 scripts/torch_cnn_recipe.py \
      --net conv:16:3,relu,maxpool:2,conv:32:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10 \
      [--epochs 15] [--batch 64] [--lr 0.001] [--optimizer adam|sgd] [--seed 0] [--threads 2] [--data DIR]

--filters A,B is a shorthand for the net above with A and B filters (and --dense, --dropout for the rest).
The default is the chosen recipe, 32,32 (conv:32:3,relu,maxpool:2,conv:32:3,relu,maxpool:2,flatten,dense:128,
relu,dropout:0.5,dense:10, Adam lr 0.001, batch 64, 15 epochs); the runs that chose it, and their output, are
in scripts/torch_cnn_recipe.txt. Prints, per epoch: the training loss, the training time of the epoch
(evaluation excluded), the test accuracy. On a shared, loaded machine use --threads 1: PyTorch's OpenMP threads
spin, and its 2-thread epochs then take several times longer (see the .txt).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

import idx_files
import torch_epochs

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--net", default=None)
p.add_argument("--filters", default="32,32", help="shorthand: conv:A:3,relu,maxpool:2,conv:B:3,relu,maxpool:2,...")
p.add_argument("--dense", type=int, default=128)
p.add_argument("--dropout", type=float, default=0.5)
p.add_argument("--epochs", type=int, default=15)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--lr", type=float, default=0.001)
p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = p.parse_args()

if args.net is None:
    a, b = (int(f) for f in args.filters.split(","))
    args.net = f"conv:{a}:3,relu,maxpool:2,conv:{b}:3,relu,maxpool:2,flatten,dense:{args.dense},relu"
    if args.dropout > 0:
        args.net += f",dropout:{args.dropout}"
    args.net += ",dense:10"

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


xtr, ytr, xte, yte = (torch.from_numpy(a) for a in idx_files.fashion(args.data, "torch_cnn_recipe.py"))
xtr, xte = xtr.unsqueeze(1), xte.unsqueeze(1)


def build(spec, shape=(1, 28, 28)):
    layers, macs = [], 0
    c, h, w = shape
    flat = None
    for tok in spec.split(","):
        parts = tok.split(":")
        kind = parts[0]
        if kind == "conv":
            f, k = int(parts[1]), int(parts[2])
            layers.append(nn.Conv2d(c, f, k, padding=k // 2))
            macs += h * w * f * c * k * k
            c = f
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "maxpool":
            k = int(parts[1])
            layers.append(nn.MaxPool2d(k))
            h, w = h // k, w // k
        elif kind == "flatten":
            layers.append(nn.Flatten())
            flat = c * h * w
        elif kind == "dense":
            n = int(parts[1])
            inp = flat if flat is not None else c * h * w
            layers.append(nn.Linear(inp, n))
            macs += inp * n
            flat = n
        elif kind == "dropout":
            layers.append(nn.Dropout(float(parts[1])))
        else:
            sys.exit(f"torch_cnn_recipe.py: unknown layer {tok}")
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return net, macs


net, macs = build(args.net)
params = sum(t.numel() for t in net.parameters())
if args.optimizer == "adam":
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
else:
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
lossf = nn.CrossEntropyLoss()
print(f"net {args.net}")
print(f"optimizer {args.optimizer} lr {args.lr} batch {args.batch} epochs {args.epochs} seed {args.seed} "
      f"threads {args.threads}; {params} parameters, {macs / 1e6:.3f} M multiply-adds forward per image", flush=True)


torch_epochs.train(net, opt, lossf, xtr, ytr, xte, yte, args.epochs, args.batch, rng)
