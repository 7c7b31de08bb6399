#!/usr/bin/env python3
"""A TCP forwarder that slows a connection down, so a transfer on loopback lasts long enough to be
watched (the progress display test). Not a stand-in: every byte goes to and from the real registry.

usage: slowproxy.py LISTEN_PORT TARGET_HOST:PORT BYTES_PER_SECOND
Each direction of each connection is limited to BYTES_PER_SECOND. Runs until killed.
"""
import socket
import sys
import threading
import time

CHUNK = 16384


def pump(src, dst, rate):
    start = time.monotonic()
    sent = 0
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            dst.sendall(data)
            sent += len(data)
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(port, host, tport, rate):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    while True:
        c, _ = ls.accept()
        try:
            u = socket.create_connection((host, tport))
        except OSError:
            c.close()
            continue
        threading.Thread(target=pump, args=(c, u, rate), daemon=True).start()
        threading.Thread(target=pump, args=(u, c, rate), daemon=True).start()


if __name__ == "__main__":
    target_host, target_port = sys.argv[2].rsplit(":", 1)
    serve(int(sys.argv[1]), target_host, int(target_port), float(sys.argv[3]))
