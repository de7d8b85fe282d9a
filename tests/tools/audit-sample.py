#!/usr/bin/env python3
"""audit-sample.py [--seed N] [--per-symptom N] [--rules RULES] [DATA_DIR] - draw the rule
precision audit of docs/rules-audit.md.

For every symptom of RULES (default rules/default.yaml), N matches (default 50) drawn at
random with a fixed seed from the rows of the labelled shared sets (DATA_DIR, default
../shared/data; see its README.md) that carry no strong label: the rows whose label says
least about the text, so the rules' own precision is what a reader judges. Each match is
printed with the set, the row id, the row's label, the evidence the rules stored and the
text around it (whitespace collapsed), for a person to read and judge: this script only
draws the sample, it does not judge it.

The draw is sha1(seed:set:id:symptom) order, so it is the same on every machine and does
not change when other rows or symptoms change. Needs the release build (make).
"""
import argparse
import csv
import hashlib
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# set name, file, id column (None: record number, as causeway numbers them), text column
SETS = [
    ("cfpb", "cfpb/complaints.csv", "complaint_id", "narrative"),
    ("banking77", "banking77/train.csv", None, "text"),
    ("mams", "mams_restaurants/complaints.csv", "id", "text"),
    ("skytrax", "skytrax_air_travel/complaints.csv", "id", "text"),
    ("clap", "app_reviews_bug/complaints.csv", "id", "text"),
]
CONTEXT = 160  # characters either side of the evidence


def labels(data, name, path, id_col):
    """Row id -> (class, strength) of one set."""
    out = {}
    intents = {}
    if name == "banking77":
        with open(os.path.join(data, "banking77/intent_to_symptom.csv"), newline="") as f:
            for r in csv.DictReader(f):
                intents[r["intent"]] = (r["symptom_class"], r["label_strength"])
    with open(os.path.join(data, path), newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f)):
            rid = r[id_col] if id_col else str(i + 1)
            if name == "banking77":
                out[rid] = intents.get(r["category"], ("other", "n/a")) + (r["text"],)
            elif name == "cfpb":
                out[rid] = (r["symptom_class"], r["label_strength"], r["narrative"])
            else:
                out[rid] = (r["class"], r["strength"], r["text"])
    return out


def matches(causeway, rules, data, path, id_col, text_col):
    """(row id, symptom, start, end) of every evidence span causeway stores."""
    args = [causeway, "classify", "-r", rules, "-i", "csv", "--text-column", text_col, "-e"]
    if id_col:
        args += ["--id-column", id_col]
    out = subprocess.run(args + [os.path.join(data, path)], check=True,
                         capture_output=True, text=True).stdout
    for row in csv.reader(io.StringIO(out)):
        if row[0] == "id" or len(row) < 4 or not row[3]:
            continue
        for ev in row[3].split(";"):
            # SYMPTOM:START-END:"TEXT" (bytes)
            symptom, span, _ = ev.split(":", 2)
            start, end = (int(x) for x in span.split("-"))
            yield row[0], symptom, start, end


def excerpt(text, start, end):
    raw = text.encode("utf-8")
    before = raw[max(0, start - CONTEXT):start].decode("utf-8", "replace")
    hit = raw[start:end].decode("utf-8", "replace")
    after = raw[end:end + CONTEXT].decode("utf-8", "replace")
    return " ".join(f"{before}[[{hit}]]{after}".split())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--per-symptom", type=int, default=50)
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules", "default.yaml"))
    ap.add_argument("--causeway", default=os.path.join(ROOT, "build", "release", "causeway"))
    a = ap.parse_args()
    pool = {}
    for name, path, id_col, text_col in SETS:
        if not os.path.exists(os.path.join(a.data, path)):
            print(f"audit-sample: {a.data}/{path} absent: {name} skipped", file=sys.stderr)
            continue
        lab = labels(a.data, name, path, id_col)
        for rid, symptom, start, end in matches(a.causeway, a.rules, a.data, path, id_col,
                                                text_col):
            cls, strength, text = lab[rid]
            if strength == "strong":
                continue
            key = hashlib.sha1(f"{a.seed}:{name}:{rid}:{symptom}".encode()).hexdigest()
            pool.setdefault(symptom, []).append(
                (key, name, rid, f"{cls}/{strength}", excerpt(text, start, end)))
    w = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    w.writerow(["symptom", "n", "set", "id", "label", "excerpt"])
    for symptom in sorted(pool):
        drawn = sorted(pool[symptom])[:a.per_symptom]
        for n, (_, name, rid, label, text) in enumerate(drawn, 1):
            w.writerow([symptom, n, name, rid, label, text])


if __name__ == "__main__":
    main()
