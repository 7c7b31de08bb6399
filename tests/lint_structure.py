#!/usr/bin/env python3
"""Structure checks that the compiler does not make (issue: file = module = prefix).

usage: lint_structure.py OBJDIR

- every symbol a library object exports is named for its file: src/lib/foo_bar.c exports `wi_foo_bar` or
  `wi_foo_bar_*`, and the longest file prefix a symbol matches is its own file's (so `wi_k8s_aux_x` may not live
  in k8s.c while k8s_aux.c exists); the names in tests/lint_prefix_allow.txt are the documented exceptions;
- src/cli includes no `*_int.h`;
- no source file is longer than 1500 lines;
- no two library modules include each other's headers, directly or through others (a module is foo.c with
  foo.h; a `*_int.h` belongs to none).
Prints one line per problem and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

MAX_LINES = 1500
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
problems = []


def report(msg):
    problems.append(msg)


def lib_sources():
    out = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "src", "lib")):
        for f in files:
            if f.endswith(".c"):
                out.append(os.path.relpath(os.path.join(dirpath, f), os.path.join(ROOT, "src", "lib")))
    return sorted(out)


def prefix_of(rel):
    return "wi_" + rel[:-2].replace(os.sep, "_")


def load_allow():
    allow = set()
    path = os.path.join(ROOT, "tests", "lint_prefix_allow.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                allow.add(line.split()[0])
    return allow


def exported(obj):
    res = subprocess.run(["nm", "-g", "--defined-only", obj], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        report(f"{obj}: nm failed: {res.stderr.strip()}")
        return []
    names = []
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            names.append(parts[2])
    return names


def check_symbols(objdir):
    sources = lib_sources()
    prefixes = {rel: prefix_of(rel) for rel in sources}
    allow = load_allow()
    for rel in sources:
        obj = os.path.join(objdir, "lib", rel[:-2] + ".o")
        if not os.path.exists(obj):
            report(f"src/lib/{rel}: no object {obj} (run make first)")
            continue
        for sym in exported(obj):
            if sym in allow:
                continue
            owners = [r for r, p in prefixes.items() if sym == p or sym.startswith(p + "_")]
            best = max(owners, key=lambda r: len(prefixes[r]), default=None)
            if best != rel:
                want = f"{prefixes[rel]}_*"
                where = f" (that prefix belongs to src/lib/{best})" if best else ""
                report(f"src/lib/{rel}: exports {sym}, not named {want}{where}")


def src_files():
    out = []
    for top in ("src", "tests/unit", "fuzz"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    return sorted(out)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def includes(path):
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as fh:
        return [m.group(1) for m in map(INCLUDE.match, fh) if m]


def resolve(path, inc):
    for cand in (os.path.join(os.path.dirname(path), inc), os.path.join("src", inc)):
        cand = os.path.normpath(cand)
        if os.path.exists(os.path.join(ROOT, cand)):
            return cand
    return None


def module_of(path):
    """src/lib/foo.c and src/lib/foo.h are one module, `foo`; a `*_int.h` is part of no module."""
    base = os.path.splitext(path)[0]
    return None if base.endswith("_int") else base


def check_files():
    graph = {}
    for path in src_files():
        with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as fh:
            n = sum(1 for _ in fh)
        if n > MAX_LINES:
            report(f"{path}: {n} lines (at most {MAX_LINES})")
        incs = includes(path)
        if path.startswith("src/cli/"):
            for inc in incs:
                if inc.endswith("_int.h"):
                    report(f"{path}: includes {inc}, a library-internal header")
        mod = module_of(path) if path.startswith("src/lib/") else None
        if mod:
            for r in (resolve(path, i) for i in incs):
                dep = module_of(r) if r else None
                if dep and dep != mod and dep.startswith("src/lib/"):
                    graph.setdefault(mod, set()).add(dep)
    # a cycle between modules: X includes Y's header (in X.c or X.h) and Y includes X's
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                report("include cycle: " + " -> ".join(os.path.basename(c) for c in cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def main():
    if len(sys.argv) != 2:
        print("usage: lint_structure.py OBJDIR", file=sys.stderr)
        return 2
    check_symbols(sys.argv[1])
    check_files()
    for p in problems:
        print(f"lint: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
