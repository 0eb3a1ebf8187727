#!/usr/bin/env python3
"""cltrain's text networks in PyTorch 1.13: the same CSVs, the same token ids, accuracy and seconds per epoch.

  /usr/bin/python3 scripts/text_torch.py --train spam-train.csv --test spam-test.csv \
      --net embedding:10000:32,gru:32,dense:2 [--tokens words] [--vocab-size 10000] [--seq-len 200] \
      [--epochs 5] [--batch 64] [--lr 0.001] [--seed 0] [--threads 2]
  /usr/bin/python3 scripts/text_torch.py --ids FILE.csv --tokens words --vocab-size V --seq-len T [--text-column C]

Reads a CSV with a header naming a `text` column (or --text-column, a number from 1 or a header name) and a
class label in the last column, as cltrain's --text-column does, and tokenizes by cltrain's rules (nn/Tokens):
the text lower-cased; chars = every code point a token; words = maximal runs of code points of Unicode category
Lu, Ll, Lt, Lm, Lo or Nd. The vocabulary comes from the training CSV only: ids 0 padding, 1 unknown, 2..V-1 the
most frequent tokens first, ties by first appearance; each row is the first T ids, padded with 0 at the end.
Class labels: the distinct label cells sorted (cltrain's string labels).

--net takes cltrain's items: embedding:V:D (nn.Embedding, padding_idx 0), gru:H and lstm:H (the last valid step's
state: packed sequences of each row's length, the index of its first 0 id), conv1d:F:K (stride 1, 'same' zero
padding), maxpool1d:P, gap1d (the mean over all T steps), relu, tanh, dense:N (the last one the output; softmax
with cross-entropy). Adam, mini-batches over a reshuffled training set. Prints per epoch the mean training loss,
the training seconds of the epoch (evaluation excluded) and the test accuracy.

--ids prints each row's ids of FILE, one CSV line per row, the vocabulary built from FILE itself: what
TextCsvTest compares with cltrain's, without importing torch.
"""
import argparse
import csv
import sys
import time
import unicodedata

WORD_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")


def tokens(text, rule):
    """cltrain's nn/Tokens: the lower-cased text's code points (chars) or its runs of letters and digits (words)."""
    lower = text.lower()
    if rule == "chars":
        return list(lower)
    out, run = [], []
    for ch in lower:
        if unicodedata.category(ch) in WORD_CATEGORIES:
            run.append(ch)
        elif run:
            out.append("".join(run))
            run = []
    if run:
        out.append("".join(run))
    return out


def vocabulary(texts, rule, size):
    """Token -> id, ids 2..size-1 by count, ties by first appearance (Python's sort is stable)."""
    counts = {}
    for text in texts:
        for t in tokens(text, rule):
            counts[t] = counts.get(t, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[: size - 2]
    return {t: i + 2 for i, (t, _) in enumerate(ranked)}


def encode(text, rule, vocab, seq_len):
    ids = [vocab.get(t, 1) for t in tokens(text, rule)[:seq_len]]
    return ids + [0] * (seq_len - len(ids))


def read(path, column):
    csv.field_size_limit(1 << 30)  # a mail body may be long
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r and not (len(r) == 1 and not r[0].strip())]
    header = [c.strip() for c in rows[0]]
    if column is None:
        index = [c.lower() for c in header].index("text")
    elif column.isdigit():
        index = int(column) - 1
    else:
        index = header.index(column)
    has_header = "text" in [c.lower() for c in header] or (column is not None and column in header)
    body = rows[1:] if has_header else rows
    return [r[index] for r in body], [r[-1].strip() for r in body]


def build(net, seq_len, classes):
    import torch.nn as nn

    class Recurrent(nn.Module):
        def __init__(self, cell, inputs, hidden):
            super().__init__()
            self.rnn = cell(inputs, hidden, batch_first=True)

        def forward(self, x, lengths):
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            _, h = self.rnn(packed)
            return (h[0] if isinstance(h, tuple) else h)[-1]

    layers, features, steps, flat = [], None, seq_len, None
    items = net.split(",")
    for n, item in enumerate(items):
        p = item.split(":")
        k = p[0]
        if k == "embedding":
            layers.append(("embed", nn.Embedding(int(p[1]), int(p[2]), padding_idx=0)))
            features = int(p[2])
        elif k in ("gru", "lstm"):
            cell = nn.GRU if k == "gru" else nn.LSTM
            layers.append(("rnn", Recurrent(cell, features, int(p[1]))))
            flat = int(p[1])
        elif k == "conv1d":
            layers.append(("seq", nn.Conv1d(features, int(p[1]), int(p[2]), padding="same")))
            features = int(p[1])
        elif k == "maxpool1d":
            layers.append(("seq", nn.MaxPool1d(int(p[1]))))
            steps //= int(p[1])
        elif k == "gap1d":
            layers.append(("gap", None))
            flat = features
        elif k in ("relu", "tanh"):
            layers.append(("any", nn.ReLU() if k == "relu" else nn.Tanh()))
        elif k == "dense":
            width = flat if flat is not None else features * steps
            layers.append(("dense", nn.Linear(width, int(p[1]))))
            flat = int(p[1])
        else:
            sys.exit(f"--net: item {n + 1} '{item}' is not one this script knows")
    if flat != classes:
        sys.exit(f"--net ends in {flat} outputs, the data has {classes} classes")

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = nn.ModuleList([m if m is not None else nn.Identity() for _, m in layers])
            self.kinds = [kind for kind, _ in layers]

        def forward(self, ids):
            lengths = (ids != 0).sum(1).clamp(min=1)
            x = ids
            channels_first = False
            for kind, m in zip(self.kinds, self.steps):
                if kind == "embed":
                    x = m(x)  # batch, T, D
                elif kind == "rnn":
                    x = m(x, lengths)
                elif kind == "seq":
                    if not channels_first:
                        x = x.transpose(1, 2)  # batch, features, T
                        channels_first = True
                    x = m(x)
                elif kind == "gap":
                    x = x.mean(2) if channels_first else x.mean(1)
                elif kind == "dense":
                    x = m(x.flatten(1))
                else:
                    x = m(x)
            return x

    return Net()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train")
    ap.add_argument("--test")
    ap.add_argument("--ids", help="print the ids of this CSV's rows and stop")
    ap.add_argument("--text-column", default=None)
    ap.add_argument("--net", default="embedding:10000:32,gru:32,dense:2")
    ap.add_argument("--tokens", choices=("chars", "words"), default="words")
    ap.add_argument("--vocab-size", type=int, default=10000)
    ap.add_argument("--seq-len", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.ids:
        texts, _ = read(a.ids, a.text_column)
        vocab = vocabulary(texts, a.tokens, a.vocab_size)
        for text in texts:
            print(",".join(str(i) for i in encode(text, a.tokens, vocab, a.seq_len)))
        return

    import torch
    import torch.nn.functional as F

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train_texts, train_labels = read(a.train, a.text_column)
    test_texts, test_labels = read(a.test, a.text_column)
    vocab = vocabulary(train_texts, a.tokens, a.vocab_size)
    names = sorted(set(train_labels))
    index = {n: i for i, n in enumerate(names)}

    def tensors(texts, labels):
        x = torch.tensor([encode(t, a.tokens, vocab, a.seq_len) for t in texts], dtype=torch.long)
        return x, torch.tensor([index[label] for label in labels], dtype=torch.long)

    xtr, ytr = tensors(train_texts, train_labels)
    xte, yte = tensors(test_texts, test_labels)
    model = build(a.net, a.seq_len, len(names))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    print(f"{a.train}: {len(xtr)} rows, {len(vocab) + 2} ids, T {a.seq_len}, classes {names}; net {a.net}; "
          f"torch {torch.__version__}, {a.threads} threads")
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(xtr))
        total, start = 0.0, time.perf_counter()
        for b in range(0, len(xtr), a.batch):
            rows = order[b:b + a.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[rows]), ytr[rows])
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            accuracy = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch}: loss {total / len(xtr):.4f}, {seconds:.2f} s, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
