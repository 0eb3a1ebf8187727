#!/usr/bin/python3
"""Writes the PyTorch-exported recurrent networks the ONNX import tests read (RecurrentImportTest).

Run from the repository root with Debian's python3-torch (PyTorch 1.13 CPU):
    /usr/bin/python3 scripts/make_rnn_onnx_fixtures.py
Seeds are fixed, so rerunning rewrites the files in src/test/resources/onnx/ byte for byte.

torch_lstm.onnx: rows of 15 values read as 5 steps of 3 features (x.reshape(-1, 5, 3)) -> nn.LSTM(3, 4,
batch_first=True), every step's output -> nn.GRU(4, 3, batch_first=True), its last state h_n[-1] -> Linear(3, 2),
softmax. torch_embedding.onnx: rows of 6 token ids as floats (x.long()) -> nn.Embedding(7, 3, padding_idx=0) ->
nn.GRU(3, 5, batch_first=True), h_n[-1] -> Linear(5, 3), softmax. The exporter writes PyTorch's zero initial states
as ConstantOfShape of the batch's shape, and each recurrent node with PyTorch's weights reordered to ONNX's gates.
The ids hold no padding (PyTorch's nn.GRU without packing does not skip padded steps; cltrain does), so both
compute the same outputs. torch_rnn.expected.json and torch_embedding.expected.json hold the inputs and PyTorch's
outputs.
"""
import os

import onnx
import torch
from torch import nn

from make_onnx_fixtures import OUT, write_expected


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, batch_first=True)
        self.gru = nn.GRU(4, 3, batch_first=True)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        out, _ = self.lstm(x.reshape(-1, 5, 3))
        _, h = self.gru(out)
        return torch.softmax(self.fc(h[-1]), dim=1)


class Tokens(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(7, 3, padding_idx=0)
        self.gru = nn.GRU(3, 5, batch_first=True)
        self.fc = nn.Linear(5, 3)

    def forward(self, x):
        _, h = self.gru(self.embedding(x.long()))
        return torch.softmax(self.fc(h[-1]), dim=1)


def write(model, x, name, outputs):
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print(os.path.basename(path), os.path.getsize(path), "bytes")
    with torch.no_grad():
        y = model(x)
    write_expected(outputs, x, y)


def main():
    torch.manual_seed(2700)
    g = torch.Generator().manual_seed(2701)
    write(Recurrent().eval(), torch.randn(4, 15, generator=g), "torch_lstm", "torch_rnn")
    torch.manual_seed(2702)
    ids = torch.randint(1, 7, (5, 6), generator=g).float()
    write(Tokens().eval(), ids, "torch_embedding", "torch_embedding")


if __name__ == "__main__":
    main()
