#!/usr/bin/env python3
"""A transparent TCP proxy that delays what the server sends by LATENCY_MS +/- JITTER_MS (Toxiproxy's latency toxic,
downstream): every answer of the server, so every query, arrives that much later. Connections come to it by
netfault.sh's nat redirect, and it connects on to where each was headed (SO_ORIGINAL_DST). Byte order is kept (a
later chunk is never delivered before an earlier one), half-closes are passed on, and its own connections to the
server carry the firewall mark the redirect exempts, so they are not sent back to the proxy.

    delayproxy.py LISTEN_PORT LATENCY_MS JITTER_MS STATUS_FILE

STATUS_FILE holds the number of open client connections, rewritten on every change ("listening" is printed once
the port is bound)."""
import asyncio
import os
import random
import socket
import struct
import sys

MARK = 0x5AC
SO_ORIGINAL_DST = 80  # linux/netfilter_ipv4.h
CHUNK = 65536


class Proxy:
    def __init__(self, latency_s, jitter_s, status_file):
        self.latency_s, self.jitter_s = latency_s, jitter_s
        self.status_file = status_file
        self.open = 0
        self.write_status()

    def write_status(self):
        tmp = self.status_file + ".tmp"
        with open(tmp, "w") as out:
            out.write(f"{self.open}\n")
        os.replace(tmp, self.status_file)

    def delay(self):
        return max(0.0, self.latency_s + random.uniform(-self.jitter_s, self.jitter_s))

    async def handle(self, client_reader, client_writer):
        loop = asyncio.get_running_loop()
        server = original_destination(client_writer.get_extra_info("socket"))
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        upstream.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, MARK)
        upstream.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(upstream, server), 5)
        except (OSError, asyncio.TimeoutError):
            upstream.close()
            client_writer.close()
            return
        server_reader, server_writer = await asyncio.open_connection(sock=upstream)
        self.open += 1
        self.write_status()
        pumps = [
            asyncio.ensure_future(pump(client_reader, server_writer, lambda: 0.0)),
            asyncio.ensure_future(pump(server_reader, client_writer, self.delay)),
        ]
        try:
            # both directions to their end (half-closes pass through); a reset on either side ends both
            await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in pumps:
                task.cancel()
            for writer in (client_writer, server_writer):
                writer.close()
            self.open -= 1
            self.write_status()


def original_destination(sock):
    """Where a redirected connection was headed, before the nat rule sent it here: (address, port)."""
    raw = sock.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
    port, address = struct.unpack_from("!2xH4s", raw)
    return socket.inet_ntoa(address), port


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk at its due time; due times never go back, so order holds under jitter."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    delivering = asyncio.ensure_future(deliver())
    last_due = 0.0
    try:
        while True:
            data = await reader.read(CHUNK)
            last_due = max(last_due, loop.time() + delay())
            await queue.put((last_due, data or None))
            if not data:
                break
        await delivering
    except (ConnectionError, OSError):
        delivering.cancel()
        raise


async def main():
    listen_port = int(sys.argv[1])
    latency_s, jitter_s = int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
    proxy = Proxy(latency_s, jitter_s, sys.argv[4])
    listener = await asyncio.start_server(proxy.handle, "127.0.0.1", listen_port)
    print("listening", flush=True)
    async with listener:
        await listener.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
