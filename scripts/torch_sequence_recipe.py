#!/usr/bin/env python3
"""Fashion-MNIST read row by row (28 steps of 28 pixels) by a recurrent net in PyTorch: test accuracy and s/epoch.

What it measures: issue 27's targets 1 and 4 on the PyTorch side, the same network as cltrain's
`--input-shape 28x28 --net lstm:128,dense:10` (or any --net of the items below), trained the same way:
pixels scaled by 1/255, no standardisation; softmax with cross-entropy; Adam (b1 0.9, b2 0.999, eps 1e-8,
bias-corrected); mini-batches over a reshuffled training set, the last partial batch kept. Items:

  lstm:H[:seq]   nn.LSTM (gates i, f, g, o); the last step's hidden state, or every step's with :seq
  gru:H[:seq]    nn.GRU (gates r, z, n)
  dense:N        nn.Linear on the last item's output (flattened when it is a sequence); relu, tanh, sigmoid
                 after a dense item apply to it

The recurrent weights keep PyTorch's default initialisation (uniform in +-1/sqrt(H)); dense weights are
He-normal with zero biases, as cltrain's. cltrain draws its own weights from its seed, so the two runs agree in
accuracy, not in bits.

  /usr/bin/python3 scripts/torch_sequence_recipe.py [--net lstm:128,dense:10] [--epochs 15] [--batch 64]
      [--lr 0.001] [--seed 0] [--threads 2] [--limit N] [--data DIR]

Prints, per epoch: the training loss, the training time of the epoch (evaluation excluded), the test accuracy;
then the best and the final accuracy. --limit N trains on the first N training images only (a quick trial).
On a shared, loaded machine use --threads 1 (PyTorch's OpenMP threads spin).
"""
import argparse
import sys

import numpy as np
import torch
import torch.nn as nn

import idx_files
import torch_epochs

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--net", default="lstm:128,dense:10")
p.add_argument("--epochs", type=int, default=15)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--lr", type=float, default=0.001)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all)")
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = p.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
xtr, ytr, xte, yte = (torch.from_numpy(a) for a in idx_files.fashion(args.data, "torch_sequence_recipe.py"))
if args.limit > 0:
    xtr, ytr = xtr[:args.limit], ytr[:args.limit]


class Recurrent(nn.Module):
    """nn.LSTM or nn.GRU, batch first, returning every step's output (seq) or the last step's."""

    def __init__(self, cell, features, hidden, seq):
        super().__init__()
        self.rnn = cell(features, hidden, batch_first=True)
        self.seq = seq

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.seq else out[:, -1, :]


def build(spec, steps=28, features=28):
    layers, width, sequence = [], features, True
    for tok in spec.split(","):
        parts = tok.split(":")
        kind = parts[0]
        if kind in ("lstm", "gru"):
            if not sequence:
                sys.exit(f"torch_sequence_recipe.py: {tok} needs a sequence (the item before it ends one)")
            hidden, seq = int(parts[1]), parts[2:] == ["seq"]
            layers.append(Recurrent(nn.LSTM if kind == "lstm" else nn.GRU, width, hidden, seq))
            width, sequence = hidden, seq
        elif kind == "dense":
            n = int(parts[1])
            if sequence:
                layers.append(nn.Flatten())
                width, sequence = width * steps, False
            layers.append(nn.Linear(width, n))
            nn.init.kaiming_normal_(layers[-1].weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(layers[-1].bias)
            width = n
        elif kind in ("relu", "tanh", "sigmoid"):
            layers.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[kind]())
        else:
            sys.exit(f"torch_sequence_recipe.py: unknown item {tok}")
    return nn.Sequential(*layers)


net = build(args.net)
params = sum(t.numel() for t in net.parameters())
opt = torch.optim.Adam(net.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
lossf = nn.CrossEntropyLoss()
print(f"net {args.net}, input 28x28 (28 steps of 28 pixels)")
print(f"adam lr {args.lr} batch {args.batch} epochs {args.epochs} seed {args.seed} threads {args.threads}; "
      f"{params} parameters; {len(xtr)} training images", flush=True)


torch_epochs.train(net, opt, lossf, xtr, ytr, xte, yte, args.epochs, args.batch, rng)
