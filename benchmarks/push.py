"""Push 1,000 changed people: push(workers=1), push(workers=8), and a hand-written loop.

The loop is what one writes by hand: one ``person.update`` per row over one
``requests.Session`` (keep-alive: one connection for every row),
sequentially, knowing already which rows to send (no reads). push() reads
the server state first, diffs, then writes only changed rows over its own
keep-alive session. Figures are printed side by side, with the ratio of each
to the loop; nothing is asserted.

Two settings: the bare loopback sandbox (client and server share one
process and its GIL, so threads cannot add speed, only contention), and the
same sandbox behind a small proxy adding a network delay per request (and
per new connection, for the TCP handshake), which is what a real Beebole
round trip looks like; only there does concurrency pay.

    python benchmarks/push.py [--people 1000] [--latency-ms 10]
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import requests

import beebole_pandas as bb
from beebole_pandas import sandbox
from beebole_pandas.writeback import push as bp

WRITE_SERVICES = ("person.update",)


@contextmanager
def delayed(url: str, latency: float) -> Iterator[str]:
    """A loopback TCP proxy to ``url`` that delays each request by ``latency`` seconds.

    The delay is paid once per request (the first bytes after a response)
    and once per new connection (the handshake a real network would cost).
    """
    parts = urlsplit(url)
    target = (parts.hostname or "127.0.0.1", parts.port or 80)
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def pump(src: socket.socket, dst: socket.socket, turn: dict[str, bool], request: bool) -> None:
        try:
            while data := src.recv(65536):
                if request and turn["new_request"]:
                    time.sleep(latency)
                    turn["new_request"] = False
                if not request:
                    turn["new_request"] = True
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def handle(downstream: socket.socket) -> None:
        time.sleep(latency)  # the handshake
        upstream = socket.create_connection(target)
        for s in (downstream, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        turn = {"new_request": True}
        threading.Thread(target=pump, args=(upstream, downstream, turn, False), daemon=True).start()
        pump(downstream, upstream, turn, True)
        downstream.close()
        upstream.close()

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        yield urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path, "", ""))
    finally:
        stopping.set()
        listener.close()


def edited(people: pd.DataFrame, tag: str) -> pd.DataFrame:
    frame = people.copy()
    frame["name"] = frame["name"] + f" {tag}"
    return frame


def counts(server: Any) -> tuple[int, int]:
    stats = server.stats()
    writes = sum(n for s, n in stats["by_service"].items() if s in WRITE_SERVICES)
    return stats["requests"], writes


def run_push(
    server: Any, client: Any, people: pd.DataFrame, workers: int
) -> tuple[float, int, int, int]:
    frame = edited(people, f"w{workers}")
    server.reset_stats()
    started = time.perf_counter()
    result = bp.push(frame, client=client, workers=workers, progress=False)
    seconds = time.perf_counter() - started
    assert result.ok, result.errors.head()
    requests_sent, writes = counts(server)
    return seconds, requests_sent, writes, result.reads


def run_loop(server: Any, url: str, people: pd.DataFrame) -> tuple[float, int, int]:
    """One ``person.update`` per row over one keep-alive ``requests.Session``."""
    frame = edited(people, "loop")
    server.reset_stats()
    started = time.perf_counter()
    with requests.Session() as session:
        session.auth = (server.token, "x")
        for ident, xid, name in zip(frame["id"], frame["xid"], frame["name"], strict=True):
            key = {"xid": xid} if pd.notna(xid) else {"id": int(ident)}
            answer = session.post(
                url,
                json={"service": "person.update", "person": {**key, "name": name}},
                timeout=30,
            ).json()
            assert answer["status"] == "ok", answer
    seconds = time.perf_counter() - started
    requests_sent, writes = counts(server)
    return seconds, requests_sent, writes


def compare(server: Any, url: str, people: pd.DataFrame, title: str) -> None:
    client = bb.connect(
        server.token, url=url, daily_requests=10**9, daily_kb=10**9, set_default=False
    )
    rows = []
    for workers in (1, 8):
        seconds, sent, writes, reads = run_push(server, client, people, workers)
        rows.append((f"push(workers={workers})", seconds, sent, writes, reads))
    seconds, sent, writes = run_loop(server, url, people)
    rows.append(("requests.Session loop", seconds, sent, writes, 0))
    loop = rows[-1][1]
    print(f"\n{title}")
    print(
        f"{'':26} {'seconds':>8} {'requests':>9} {'writes':>7} {'reads':>6} {'speed vs loop':>14}"
    )
    for label, secs, sent, writes, reads in rows:
        print(f"{label:26} {secs:8.2f} {sent:9d} {writes:7d} {reads:6d} {loop / secs:13.2f}x")
    print(
        f"requests sent by push = {len(people)} changed rows + {rows[0][4]} reads; "
        f"push(workers=1) is {loop / rows[0][1]:.2f}x and push(workers=8) {loop / rows[1][1]:.2f}x "
        "the speed of the keep-alive loop"
    )
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    args = parser.parse_args()
    os.environ["BEEBOLE_CACHE_DIR"] = tempfile.mkdtemp(prefix="bb-bench-")
    with sandbox.serve(
        seed="demo", people=args.people, months=1, daily_requests=10**9, daily_kb=10**9
    ) as server:
        loader = bb.connect(server.token, url=server.url, daily_requests=10**9, daily_kb=10**9)
        people = bb.people(client=loader, refresh=True)
        print(f"{len(people)} people, every name changed, pushed three ways")
        compare(server, server.url, people, "bare loopback (no network delay)")
        with delayed(server.url, args.latency_ms / 1000) as url:
            compare(
                server,
                url,
                people,
                f"with {args.latency_ms:g} ms per request and per new connection",
            )


if __name__ == "__main__":
    main()
