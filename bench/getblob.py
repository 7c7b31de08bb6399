#!/usr/bin/env python3
"""Download URL's body as fast as the kernel allows and print the seconds it took.

A benchmark client for registry blob GETs: the body is spliced from the socket into a pipe and from the
pipe into /dev/null, so it never enters user space. curl copies every byte into its own buffer and is
itself the bottleneck on loopback (both servers then look alike); this client leaves the server as the
limit. Usage: getblob.py http://HOST:PORT/PATH
"""
import os
import socket
import sys
import time
from urllib.parse import urlsplit

u = urlsplit(sys.argv[1])
s = socket.create_connection((u.hostname, u.port or 80))
t0 = time.monotonic()
s.sendall(f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n".encode())
peek = b""
while b"\r\n\r\n" not in peek:
    peek = s.recv(65536, socket.MSG_PEEK)
head = s.recv(peek.index(b"\r\n\r\n") + 4).decode("latin-1")
status = head.split(" ", 2)[1]
if status != "200":
    sys.exit(f"GET {sys.argv[1]}: HTTP {status}")
length = int(next(l.split(":", 1)[1] for l in head.split("\r\n") if l.lower().startswith("content-length:")))
r, w = os.pipe()
null = os.open(os.devnull, os.O_WRONLY)
got = 0
while got < length:
    n = os.splice(s.fileno(), w, min(1 << 20, length - got))
    if n == 0:
        sys.exit(f"GET {sys.argv[1]}: connection closed after {got} of {length} bytes")
    left = n
    while left:
        left -= os.splice(r, null, left)
    got += n
print(f"{time.monotonic() - t0:.4f}")
