#!/usr/bin/python3
"""Validate the Domain and Cluster resources in YAML or JSON streams (each FILE, or stdin) against
tests/data/wko/*.schema.json with python3-jsonschema (Debian's). A kubectl v1 List is unwrapped; other
kinds (Secrets) are skipped. Prints one line per input, "NAME: N Domain, M Cluster valid" or "NAME:
invalid" after its errors; exit 1 when any input is invalid or holds no Domain and no Cluster. One process
for many files: the tests validate everything they generate in one run."""
import json
import os
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "wko")
SCHEMAS = {
    "Domain": json.load(open(os.path.join(DATA, "domain-v9.schema.json"), encoding="utf-8")),
    "Cluster": json.load(open(os.path.join(DATA, "cluster-v1.schema.json"), encoding="utf-8")),
}


def documents(text):
    for doc in yaml.safe_load_all(text):  # JSON is YAML
        if isinstance(doc, dict) and doc.get("kind") == "List":
            yield from doc.get("items", [])
        elif doc is not None:
            yield doc


def check(name, text):
    counts = {"Domain": 0, "Cluster": 0}
    bad = 0
    for doc in documents(text):
        kind = doc.get("kind") if isinstance(doc, dict) else None
        if kind not in SCHEMAS:
            continue
        validator = jsonschema.Draft7Validator(SCHEMAS[kind])
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            bad += 1
            where = "/".join(str(p) for p in e.path) or "(root)"
            print(f"{name}: {kind} {doc.get('metadata', {}).get('name')}: {where}: {e.message}")
        counts[kind] += 1
    ok = not bad and counts["Domain"] + counts["Cluster"] > 0
    print(f"{name}: {counts['Domain']} Domain, {counts['Cluster']} Cluster " + ("valid" if ok else "invalid"))
    return ok


def main():
    inputs = [(f, open(f, encoding="utf-8").read()) for f in sys.argv[1:]] or [("-", sys.stdin.read())]
    results = [check(name, text) for name, text in inputs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
