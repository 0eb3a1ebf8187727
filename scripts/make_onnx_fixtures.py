#!/usr/bin/python3
"""Writes the PyTorch-exported ONNX fixtures OnnxImportTest reads, and PyTorch's own outputs on a fixed batch.

Run from the repository root with Debian's python3-torch (PyTorch 1.13 CPU):
    /usr/bin/python3 scripts/make_onnx_fixtures.py
Seeds are fixed, so rerunning rewrites the files in src/test/resources/onnx/ byte for byte.
Each model is exported with torch.onnx.export, opset 17, input "input", output "output", a dynamic batch axis,
in eval mode; <name>.expected.json beside it holds "inputs" (rows as cltrain reads them) and "outputs".
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "onnx")


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def mlp_softmax():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))


def cnn():
    # [N,1,8,8] -> conv same -> [N,4,8,8] -> maxpool -> [N,4,4,4] -> conv valid -> [N,6,2,2] -> flatten 24 -> 5.
    # 6 channels of 2x2 at the flatten, so the importer's CHW-to-HWC reordering of the dense rows matters; no
    # AvgPool here (it would leave 1x1), cnn_avg has one. Dropout vanishes from an eval-mode export.
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.Tanh(),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(6 * 2 * 2, 5), nn.Softmax(dim=1))


def cnn_avg():
    # [N,1,8,8] -> conv valid [N,4,6,6] -> avgpool 2 -> [N,4,3,3] -> flatten 36 -> linear 3, no softmax (mse)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(36, 3))


def tanh_mlp():
    return nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 2), nn.Sigmoid())


MODELS = [
    ("torch_mlp", mlp, (4,)),
    ("torch_mlp_softmax", mlp_softmax, (4,)),
    ("torch_cnn", cnn, (1, 8, 8)),
    ("torch_cnn_avg", cnn_avg, (1, 8, 8)),
    ("torch_tanh_mlp", tanh_mlp, (3,)),
]


def rounded(values):
    # float32 values printed exactly enough to read back as the same float32
    return [float("%.9g" % v) for v in values]


def write_expected(name, x, y):
    # the inputs and PyTorch's outputs of a fixture, name.expected.json
    expected = {
        "model": name,
        "torch": torch.__version__,
        "input_shape": list(x.shape),
        "inputs": [rounded(r.reshape(-1).tolist()) for r in x],
        "outputs": [rounded(r.reshape(-1).tolist()) for r in y],
    }
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for index, (name, make, shape) in enumerate(MODELS):
        torch.manual_seed(1000 + index)
        model = make()
        model.eval()
        x = torch.randn(5, *shape, generator=torch.Generator().manual_seed(2000 + index))
        with torch.no_grad():
            y = model(x)
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
        # [N,1,H,W] rows in C,H,W order with one channel are the same as cltrain's H,W,C rows
        write_expected(name, x, y)
        print(name, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
