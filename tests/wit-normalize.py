#!/usr/bin/env python3
"""Normalise a Dockerfile for comparison with WIT 1.16.4's (wit-primary.md, "parity"): what the
build engine sees, not how the text is laid out.

- leading and trailing whitespace of every line is dropped, then blank lines and comment lines
  (also those between continuation lines, which Docker strips as well);
- a line ending in a backslash is joined with the next kept line;
- runs of blanks become one blank (whitespace between words means nothing to the shell or to
  Docker, and WIT's templates leave double blanks where a section renders empty);
- the build id (WIT's random UUID) becomes BUILDID.

Reads a file (or stdin with '-'); a dry run's stdout may be given as is: the lines outside
"########## BEGIN/END DOCKERFILE ##########" are dropped.
"""
import re
import sys


def normalise(text):
    lines = text.splitlines()
    if '########## BEGIN DOCKERFILE ##########' in lines:
        lines = lines[lines.index('########## BEGIN DOCKERFILE ##########') + 1:]
        if '########## END DOCKERFILE ##########' in lines:
            lines = lines[:lines.index('########## END DOCKERFILE ##########')]
    out, cur = [], None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        cont = line.endswith('\\')
        if cont:
            line = line[:-1]
        cur = line if cur is None else cur + ' ' + line
        if not cont:
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    res = []
    for line in out:
        line = re.sub(r'[ \t]+', ' ', line).strip()
        line = re.sub(r'buildid="[^"]*"', 'buildid="BUILDID"', line)
        if line:
            res.append(line)
    return '\n'.join(res) + '\n'


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else '-'
    text = sys.stdin.read() if path == '-' else open(path, encoding='utf-8').read()
    sys.stdout.write(normalise(text))


if __name__ == '__main__':
    main()
