#!/usr/bin/env python3
"""Hold many idle, half-sent HTTP requests open against a server while a normal client measures its GETs.

The idle connections are what an attacker opens to exhaust a server: each sends the start of a request
("GET /v2/ HTTP/1.1", one header, no blank line) and then nothing, or one more header byte now and then
(--dribble) to renew an inactivity timeout. They come from several 127.x.y.z source addresses, --per-addr
from each, so that a per-address connection cap does not refuse them. Loopback only.

While they are held, a normal client from 127.0.0.1 sends --requests GETs of --path, each on a new
connection (connect, request, full response), and their latencies are recorded.

Prints one line of key=value figures:
  opened       idle connections the server accepted
  failed       idle connections that could not be opened (refused, reset)
  held_start   idle connections still open once all were opened (and 0.5 s later)
  held_end     idle connections still open after the measurement
  gets errors  normal GETs done / failed (a failure is any error, a timeout of --timeout s, or a non-2xx)
  p50_ms p99_ms max_ms   latencies of the normal GETs
Bounded: at most --idle connections, --requests requests, each with a timeout.
Usage: idleload.py --port P --path /v2/NAME/manifests/TAG [--idle N] [--per-addr K] [--requests M]
                   [--dribble SECONDS] [--hold SECONDS] [--timeout SECONDS]
"""
import argparse
import select
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--path", required=True)
ap.add_argument("--idle", type=int, default=1000)
ap.add_argument("--per-addr", type=int, default=200)
ap.add_argument("--requests", type=int, default=500)
ap.add_argument("--dribble", type=float, default=0.0, help="send one header byte on every idle connection this often")
ap.add_argument("--hold", type=float, default=0.0, help="keep holding this long after the measurement")
ap.add_argument("--timeout", type=float, default=5.0)
ap.add_argument("--accept", default="application/vnd.oci.image.manifest.v1+json")
a = ap.parse_args()
if a.idle > 60000 or a.requests > 100000:
    raise SystemExit("idleload.py: too many connections or requests (bounded at 60000 / 100000)")

START = b"GET /v2/ HTTP/1.1\r\nHost: registry\r\nUser-Agent: idleload\r\n"


def source(i):
    """127.0.0.2, 127.0.0.3, ...: one address per --per-addr connections (never 127.0.0.1, the client's)."""
    n = 2 + i // a.per_addr
    return "127.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255)


def open_idle():
    ep = select.epoll()
    pending = {}
    socks = []
    failed = 0
    for i in range(a.idle):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((source(i), 0))
            s.connect_ex(("127.0.0.1", a.port))
        except OSError:
            failed += 1
            s.close()
            continue
        pending[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLOUT)
        # keep the number of connects in flight below the listen backlog
        while len(pending) >= 512:
            failed += finish_connects(ep, pending, socks, 1.0)
    deadline = time.monotonic() + a.timeout
    while pending and time.monotonic() < deadline:
        failed += finish_connects(ep, pending, socks, 0.5)
    for s in pending.values():
        failed += 1
        s.close()
    ep.close()
    return socks, failed


def finish_connects(ep, pending, socks, wait):
    failed = 0
    for fd, _ in ep.poll(wait):
        s = pending.pop(fd)
        ep.unregister(fd)
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            failed += 1
            s.close()
            continue
        try:
            s.send(START)
            socks.append(s)
        except OSError:
            failed += 1
            s.close()
    return failed


def alive(socks):
    n = 0
    for s in socks:
        try:
            d = s.recv(1, socket.MSG_PEEK)
            n += 1 if d else 0  # b"" = closed by the server
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def dribble(socks):
    for s in socks:
        try:
            s.send(b"X")
        except OSError:
            pass


def one_get():
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\nConnection: close\r\n\r\n"
           % (a.path, a.port, a.accept)).encode()
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout) as s:
            s.sendall(req)
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
    except OSError:
        return None
    ms = (time.monotonic() - t0) * 1000.0
    status = data.split(b" ", 2)[1] if data.startswith(b"HTTP/1.") else b"0"
    return ms if status.startswith(b"2") else None


socks, failed = open_idle()
time.sleep(0.5)
held_start = alive(socks)
lat = []
errors = 0
next_dribble = time.monotonic() + a.dribble if a.dribble > 0 else None
for _ in range(a.requests):
    if next_dribble and time.monotonic() >= next_dribble:
        dribble(socks)
        next_dribble = time.monotonic() + a.dribble
    ms = one_get()
    if ms is None:
        errors += 1
    else:
        lat.append(ms)
end = time.monotonic() + a.hold
while time.monotonic() < end:
    if next_dribble and time.monotonic() >= next_dribble:
        dribble(socks)
        next_dribble = time.monotonic() + a.dribble
    time.sleep(0.1)
held_end = alive(socks)
lat.sort()


def pct(p):
    return lat[min(len(lat) - 1, int(len(lat) * p))] if lat else -1.0


print("opened=%d failed=%d held_start=%d held_end=%d gets=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
      % (len(socks), failed, held_start, held_end, len(lat), errors, pct(0.50), pct(0.99), lat[-1] if lat else -1.0))
for s in socks:
    s.close()
