#!/usr/bin/env python3
"""Issue 28 item 6: a roofline table for the Fashion-MNIST CNN recipe's epoch.

Reads `cltrain train --net <recipe> --profile` output (stdin or a file) and prints, per kernel, the FLOPs and the
bytes one epoch needs (counted from the recipe's shapes: each operand read once and each result written once,
so the bytes are a lower bound on the traffic), the achieved GFLOP/s and GB/s from the profile's device time,
the arithmetic intensity, and which roof bounds it at the given peak and bandwidth.

  scripts/cnn_roofline.py PROFILE.txt --peak 411 --bandwidth 20 [--rows 60000]
The recipe: conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10,
batches of 128, Adam; the first convolution runs as conv_direct with its pool fused (k*k*C = 9 <= 32).
"""
import argparse
import re
import sys

F = 4  # bytes per float


def counts(n, batches):
    """(flops, bytes) per kernel for one epoch of n rows in `batches` batches."""
    p1, c1 = 28 * 28, 32      # first conv: pixels, filters (k*k*C = 9)
    p2, c2, k2 = 14 * 14, 64, 288  # second conv: pixels, filters, patch
    flat, hid, out = 7 * 7 * 64, 128, 10
    params = 9 * 32 + 32 + k2 * c2 + c2 + flat * hid + hid + hid * out + out
    return {
        # forward
        "conv_direct_max_pool": (2 * n * p1 * 9 * c1,
                        F * n * (p1 * 1 + p1 * c1 + p1 // 4 * c1 + p1 * 9)),  # x; y; pooled; patches stored
        "im2col": (0, F * n * (p2 * 32 + p2 * k2)),
        "matmul_bias_activation": (2 * n * (p2 * k2 * c2 + flat * hid),
                                   F * (n * (p2 * k2 + p2 * c2 + flat + hid) + batches * (k2 * c2 + flat * hid))),
        "max_pool": (0, F * n * (p2 * c2 + p2 // 4 * c2)),
        "dropout": (0, F * n * hid * 2),
        "matmul": (2 * n * hid * out, F * (n * (hid + out) + batches * hid * out)),
        "bias_softmax": (0, F * n * out * 2),
        # backward
        "xent_delta": (0, F * n * out * 3),
        "matmul_transpose_a": (2 * n * (flat * hid + hid * out), F * (n * (flat + hid + hid + out)
                                                                      + batches * (flat * hid + hid * out))),
        "matmul_transpose_b_delta": (2 * n * hid * out, F * (n * (out + 2 * hid) + batches * hid * out)),
        "matmul_transpose_b": (2 * n * flat * hid, F * (n * (hid + flat) + batches * flat * hid)),
        "max_pool_backward": (0, F * n * (p2 * c2 * 2 + p2 // 4 * c2 + p1 * c1 * 2 + p1 // 4 * c1)),
        "activation_delta": (0, F * n * (p2 * c2 + p1 * c1) * 3),
        "conv_weight_gradient": (2 * n * (p2 * k2 * c2 + p1 * 9 * c1),
                                 F * n * (p2 * (k2 + c2) + p1 * (9 + c1))),
        "column_sum": (n * (p2 * c2 + p1 * c1 + hid + out), F * n * (p2 * c2 + p1 * c1 + hid + out)),
        "conv_filter_rows": (0, F * batches * (k2 * c2 + c2 * 9 * 32)),
        "conv_input_gradient": (2 * n * p2 * k2 * c2, F * (n * (p2 * c2 + p2 * 32) + batches * c2 * 9 * 32)),
        "adam_update_layers": (10 * batches * params, F * batches * params * 7),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("profile", nargs="?")
    ap.add_argument("--peak", type=float, required=True, help="GFLOP/s (bench --gemm --peak)")
    ap.add_argument("--bandwidth", type=float, required=True, help="GB/s of memory")
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--batch", type=int, default=128)
    a = ap.parse_args()
    text = open(a.profile).read() if a.profile else sys.stdin.read()
    batches = -(-a.rows // a.batch)
    table = counts(a.rows, batches)
    balance = a.peak / a.bandwidth
    print(f"| kernel | ms/epoch | GFLOP | MB | FLOP/byte | GFLOP/s | GB/s | bound (balance {balance:.1f} FLOP/byte) "
          f"| of its roof |")
    print("|---|---|---|---|---|---|---|---|---|")
    for line in text.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+) %", line)
        if not m:
            continue
        name, ms = m.group(1), float(m.group(4))
        if name not in table:
            print(f"| {name} | {ms:.0f} | – | – | – | – | – | not counted | – |")
            continue
        flops, nbytes = table[name]
        s = ms / 1000
        intensity = flops / nbytes if nbytes else 0
        memory = intensity < balance
        roof = a.bandwidth * intensity if memory else a.peak
        achieved = flops / s / 1e9 if flops else 0
        gbs = nbytes / s / 1e9
        share = (gbs / a.bandwidth) if memory else (achieved / a.peak)
        print(f"| {name} | {ms:.0f} | {flops / 1e9:.1f} | {nbytes / 1e6:.0f} | {intensity:.2f} | {achieved:.1f} | "
              f"{gbs:.1f} | {'memory' if memory else 'compute'} | {share:.0%} |")


if __name__ == "__main__":
    main()
