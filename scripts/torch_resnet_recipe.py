#!/usr/bin/env python3
"""README's residual Fashion-MNIST recipe in PyTorch 1.13: the same network, data, optimizer and epochs.

What it measures: the test accuracy per epoch and the seconds an epoch of training takes (evaluation excluded)
for the network of README's "Recipe: a residual network", so that cltrain's figures stand beside PyTorch's in
docs/BENCHMARKS.md. It mirrors cltrain's run of

  --net 'conv:32:3,bn,relu,maxpool:2,resblock:32,resblock:64:s2,gap,dense:10'
  (--widths 64,128: the wide recipe, 'conv:64:3,bn,relu,maxpool:2,resblock:64,resblock:128:s2,gap,dense:10')
  --optimizer adamw --lr 0.002 --weight-decay 0.05 --lr-schedule cosine --batch-size 128 --epochs 30
  --augment flip,crop:2 --label-smoothing 0.1

item by item: convolutions with biases and "same" zero padding (for the stride-2 one the odd pad row and column
go bottom and right, as cltrain pads); BatchNorm2d (momentum 0.1, eps 1e-5, batch statistics in training, the
running ones in evaluation); resblock:F[:sS] is residual(conv:F:3[:sS],bn,relu,conv:F:3,bn),relu: the output
is relu(branch(x) + shortcut(x)), the shortcut x itself or, where the shape changes, a 1x1 convolution with the
block's stride (with bias) and a BatchNorm2d (--no-shortcut-bn leaves that out, as cltrain built the
projection before issue 25 gave it one); global average pooling; a dense layer of 10 with softmax cross-entropy and label
smoothing 0.1. He-normal weights (fan-in), biases 0, gamma 1, beta 0. AdamW (0.9, 0.999, 1e-8) with decoupled
decay 0.05 on the conv and dense weights only (cltrain decays no bias or batch-norm parameter without
--decay-all); --optimizer momentum is cltrain's (SGD with momentum 0.9 and L2 decay, e.g. --lr 0.1
--weight-decay 5e-4 --warmup-epochs 1: README's recipe). The rate per epoch e of E with W warm-up epochs, as
cltrain's LearningRateSchedule: lr * (e + 1) / W for e < W, then lr * (1 + cos(pi * k / K)) / 2, k = e - W,
K = E - W. Augmentation per training image and
epoch: a horizontal flip with probability 1/2 and a translation by -2..2 pixels in each direction, zero-filled
(a crop of the image padded by 2). Mini-batches of 128 over a reshuffled training set, the last partial one kept;
pixels / 255. The random draws differ from cltrain's (Philox, NumPy's generator), so accuracies agree within
the spread of seeds, not digit for digit.

  /usr/bin/python3 scripts/torch_resnet_recipe.py [--epochs 30] [--threads 2] [--seed 0] [--data DIR]
      [--widths 32,64] [--optimizer adamw|momentum] [--lr R] [--weight-decay L2] [--momentum MU]
      [--warmup-epochs W] [--checkpoint FILE]

--checkpoint FILE saves the run after every epoch (weights, optimizer, generators, the lines printed so far) and,
when FILE exists at the start, goes on from it: a long run survives being stopped.

Prints one line per epoch: the training loss, the epoch's training seconds, the test accuracy; then the mean
seconds per epoch.
"""
import argparse
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import idx_files

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--epochs", type=int, default=30)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--lr", type=float, default=0.002)
p.add_argument("--optimizer", choices=["adamw", "momentum"], default="adamw")
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--warmup-epochs", type=int, default=0)
p.add_argument("--weight-decay", type=float, default=0.05)
p.add_argument("--label-smoothing", type=float, default=0.1)
p.add_argument("--pad", type=int, default=2, help="crop:P, the translation range in pixels (0: none)")
p.add_argument("--no-flip", action="store_true")
p.add_argument("--no-shortcut-bn", action="store_true", help="a projection shortcut without its BatchNorm2d")
p.add_argument("--seed", type=int, default=0)
p.add_argument("--widths", default="32,64", help="F1,F2: conv:F1:3 and resblock:F1, then resblock:F2:s2")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--checkpoint", default=None, help="save after every epoch; resume from it when it exists")
p.add_argument("--limit", type=int, default=0, help="train on the first N images only (a smoke test)")
args = p.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


xtr, ytr, xte, yte = (torch.from_numpy(a) for a in idx_files.fashion(args.data, "torch_resnet_recipe.py"))
xtr, xte = xtr.unsqueeze(1), xte.unsqueeze(1)
if args.limit:
    xtr, ytr = xtr[:args.limit], ytr[:args.limit]


def same_conv(cin, cout, k, stride=1):
    """cltrain's conv:F:K[:sS]: "same" padding, the odd pad row/column bottom and right."""
    size = 28  # only the parity matters below; all inputs here are even-sized
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    lo, hi = total // 2, total - total // 2
    pad = nn.ZeroPad2d((lo, hi, lo, hi))
    return nn.Sequential(pad, nn.Conv2d(cin, cout, k, stride))


class Residual(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.branch = nn.Sequential(same_conv(cin, cout, 3, stride), nn.BatchNorm2d(cout), nn.ReLU(),
                                    same_conv(cout, cout, 3), nn.BatchNorm2d(cout))
        if cin == cout and stride == 1:
            self.shortcut = nn.Identity()
        elif args.no_shortcut_bn:
            self.shortcut = nn.Conv2d(cin, cout, 1, stride)
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.branch(x) + self.shortcut(x))


f1, f2 = (int(w) for w in args.widths.split(","))
net = nn.Sequential(same_conv(1, f1, 3), nn.BatchNorm2d(f1), nn.ReLU(), nn.MaxPool2d(2),
                    Residual(f1, f1, 1), Residual(f1, f2, 2),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(f2, 10))
decayed, plain = [], []
for m in net.modules():
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(m.bias)
        decayed.append(m.weight)
        plain.append(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        plain += [m.weight, m.bias]
groups = [{"params": decayed, "weight_decay": args.weight_decay}, {"params": plain, "weight_decay": 0.0}]
if args.optimizer == "momentum":
    # cltrain's momentum: v = mu*v + (g + L2*w); w -= lr*v (PyTorch's SGD, no dampening, not Nesterov)
    opt = torch.optim.SGD(groups, lr=args.lr, momentum=args.momentum)
else:
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), eps=1e-8)


def rate(epoch):
    """cltrain's --lr-schedule cosine with --warmup-epochs W."""
    w = args.warmup_epochs
    if epoch < w:
        return args.lr * (epoch + 1) / w
    k, total = epoch - w, max(1, args.epochs - w)
    return args.lr * (1 + math.cos(math.pi * min(k, total) / total)) / 2
loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
params = sum(t.numel() for t in net.parameters())
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {params} parameters, "
      f"{args.epochs} epochs of batches of {args.batch}", flush=True)


def augment(x):
    n = x.shape[0]
    if not args.no_flip:
        flip = torch.from_numpy(rng.random(n) < 0.5)
        x = torch.where(flip.view(n, 1, 1, 1), x.flip(3), x)
    if args.pad > 0:
        P = args.pad
        padded = F.pad(x, (P, P, P, P))
        dy = rng.integers(0, 2 * P + 1, n)
        dx = rng.integers(0, 2 * P + 1, n)
        x = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(n)])
    return x


def accuracy():
    net.eval()
    right = 0
    with torch.no_grad():
        for s in range(0, len(xte), 1000):
            right += (net(xte[s:s + 1000]).argmax(1) == yte[s:s + 1000]).sum().item()
    return right / len(xte)


seconds, lines, first = [], [], 0
if args.checkpoint and os.path.exists(args.checkpoint):
    state = torch.load(args.checkpoint)
    net.load_state_dict(state["net"])
    opt.load_state_dict(state["opt"])
    rng.bit_generator.state = state["rng"]
    torch.set_rng_state(state["torch_rng"])
    seconds, lines, first = state["seconds"], state["lines"], state["epoch"]
    print(f"resumed from {args.checkpoint} after epoch {first - 1}; the lines so far:", flush=True)
    for line in lines:
        print(line, flush=True)
for epoch in range(first, args.epochs):
    for g in opt.param_groups:
        g["lr"] = rate(epoch)
    net.train()
    order = torch.from_numpy(rng.permutation(len(xtr)))
    total, t0 = 0.0, time.perf_counter()
    for s in range(0, len(xtr), args.batch):
        b = order[s:s + args.batch]
        opt.zero_grad()
        loss = loss_fn(net(augment(xtr[b])), ytr[b])
        loss.backward()
        opt.step()
        total += loss.item() * len(b)
    seconds.append(time.perf_counter() - t0)
    lines.append(f"epoch {epoch}: loss {total / len(xtr):.4f}, {seconds[-1]:.1f} s, test accuracy {accuracy():.4f}")
    print(lines[-1], flush=True)
    if args.checkpoint:
        torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(), "seconds": seconds, "lines": lines, "epoch": epoch + 1},
                   args.checkpoint + ".tmp")
        os.replace(args.checkpoint + ".tmp", args.checkpoint)
print(f"mean {sum(seconds) / len(seconds):.1f} s per epoch of training")
