#!/usr/bin/python3
"""Validate the Domain and Cluster resources in a YAML or JSON stream (FILE, or stdin) against
tests/data/wko/*.schema.json with python3-jsonschema (Debian's). A kubectl v1 List is unwrapped; other
kinds (Secrets) are skipped. Prints "N Domain, M Cluster valid" or each error, exit 1 on any."""
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


def main():
    text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
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
            print(f"{kind} {doc.get('metadata', {}).get('name')}: {where}: {e.message}", file=sys.stderr)
        counts[kind] += 1
    print(f"{counts['Domain']} Domain, {counts['Cluster']} Cluster" + (" valid" if not bad else ""))
    return 1 if bad or counts["Domain"] + counts["Cluster"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
