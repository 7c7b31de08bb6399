#!/usr/bin/env python3
"""A slow network link for tests: a TCP relay on 127.0.0.1 that forwards to TARGET and lets at most RATE bytes
a second through towards it (answers come back at full speed). Tests put it between wlsimg and a real registry
so that an upload lasts long enough to be cancelled half-way. Prints the port it listens on, then serves until
killed.

usage: slowlink.py TARGET_HOST:PORT RATE_BYTES_PER_SECOND
"""
import asyncio
import socket
import sys
import time

CHUNK = 16384


async def pump(reader, writer, rate):
    start = time.monotonic()
    sent = 0
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            sent += len(data)
            if rate:
                ahead = sent / rate - (time.monotonic() - start)
                if ahead > 0:
                    await asyncio.sleep(ahead)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except ConnectionError:
            pass


async def main():
    host, port = sys.argv[1].rsplit(":", 1)
    rate = int(sys.argv[2])

    async def handle(creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection(host, int(port))
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, swriter, rate), pump(sreader, cwriter, 0))

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(handle, sock=sock)
    print(sock.getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
