#!/usr/bin/python3
"""Writes the PyTorch-exported residual network the ONNX import tests read, in eval mode and in training mode.

Run from the repository root with Debian's python3-torch (PyTorch 1.13 CPU):
    /usr/bin/python3 scripts/make_resnet_onnx_fixtures.py
Seeds are fixed, so rerunning rewrites the files in src/test/resources/onnx/ byte for byte.

The network: [N,1,7,7] -> stem conv 3x3 (no bias) + BatchNorm2d + ReLU -> [N,4,7,7] -> a basic block with the
identity shortcut (written h + x) -> a basic block of stride 2 with a projection shortcut (1x1 conv of stride 2,
no bias, + BatchNorm2d; written shortcut(x) + h) -> [N,6,4,4] -> AdaptiveAvgPool2d(1) -> flatten -> Linear(6, 3).
The input is 7x7 because cltrain's "same" padding of a stride-2 3x3 conv pads the odd extra zero at the bottom and
right: on an odd size it pads 1 on every side, as padding=1 does in PyTorch. Before the export the network runs a
few forward passes in training mode, so the running statistics (and gamma, beta, set at random) are far from their
initial 0 and 1.

torch_resnet_eval.onnx is exported in eval mode (torch.onnx.TrainingMode.EVAL: each BatchNorm2d folded into the
conv before it, which gains a bias); torch_resnet_train.onnx in training mode (TrainingMode.TRAINING:
BatchNormalization nodes with training_mode=1 and the running statistics as initializers, plus two running-statistic
outputs that feed nothing). Both files compute PyTorch's eval-mode outputs when read as cltrain reads them
(BatchNormalization with the running statistics); torch_resnet.expected.json holds the inputs and those outputs.
torch_branch_mul.onnx is a small network whose two branches meet in a Mul, which cltrain does not read.
"""
import json
import os

import onnx
from onnx import numpy_helper
import torch
from torch import nn

from make_onnx_fixtures import OUT, rounded


class Block(nn.Module):
    def __init__(self, cin, cout, stride, join):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.join = join  # how the branch h and the shortcut s meet, e.g. h + s

    def forward(self, x):
        h = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        s = x if self.shortcut is None else self.shortcut(x)
        return torch.relu(self.join(h, s))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 4, 3, 1, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.block1 = Block(4, 4, 1, lambda h, s: h + s)  # Add(branch, x), as torchvision's out += identity
        self.block2 = Block(4, 6, 2, lambda h, s: s + h)  # Add(shortcut, branch)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.block2(self.block1(self.stem(x)))), 1))


class BranchMul(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 2, 3, 1, 1), nn.ReLU())
        self.block = Block(2, 2, 1, lambda h, s: h * s)
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.block(self.stem(x)), 1), 1))


def export(model, x, path, mode):
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      training=mode, do_constant_folding=mode == torch.onnx.TrainingMode.EVAL)


def main():
    torch.manual_seed(3000)
    model = ResNet()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.5, 0.5)
    model.train()
    g = torch.Generator().manual_seed(3001)
    with torch.no_grad():
        for _ in range(20):
            model(torch.randn(16, 1, 7, 7, generator=g) * 1.5 + 0.3)
    x = torch.randn(4, 1, 7, 7, generator=g)
    # training mode first: tracing runs the model once in training mode, which moves the running statistics (by
    # momentum towards x's batch statistics) before they are written; the eval-mode file and outputs then use the
    # same statistics
    train_path = os.path.join(OUT, "torch_resnet_train.onnx")
    export(model, x, train_path, torch.onnx.TrainingMode.TRAINING)
    saved = {t.name: numpy_helper.to_array(t) for t in onnx.load(train_path).graph.initializer}
    for key, value in model.state_dict().items():
        if key.endswith("running_mean") or key.endswith("running_var"):
            assert (saved[key] == value.numpy()).all(), key
    model.eval()
    with torch.no_grad():
        y = model(x)
    eval_path = os.path.join(OUT, "torch_resnet_eval.onnx")
    export(model, x, eval_path, torch.onnx.TrainingMode.EVAL)
    for path in (train_path, eval_path):
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print(os.path.basename(path), os.path.getsize(path), "bytes")
    torch.manual_seed(3002)
    mul_path = os.path.join(OUT, "torch_branch_mul.onnx")
    export(BranchMul().eval(), x, mul_path, torch.onnx.TrainingMode.EVAL)
    print(os.path.basename(mul_path), os.path.getsize(mul_path), "bytes")
    expected = {
        "model": "torch_resnet",
        "torch": torch.__version__,
        "input_shape": list(x.shape),
        "inputs": [rounded(r.reshape(-1).tolist()) for r in x],
        "outputs": [rounded(r.reshape(-1).tolist()) for r in y],
    }
    with open(os.path.join(OUT, "torch_resnet.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
