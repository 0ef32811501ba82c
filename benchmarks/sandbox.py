"""Requests per second the sandbox serves on loopback, with 1 and 4 client threads.

Each client thread has its own keep-alive connection (a ``requests.Session``,
the client people use, and the one beebole_pandas uses), so this measures
serving, not TCP set-up. Target: >= 1,000 req/s with 4 threads, so that the
sandbox never dominates test time; the ratio printed is that of
``requests`` with 4 threads to the target.

A ``requests`` call costs its caller about 1 ms of CPU, more than the sandbox
spends answering it, so two more columns separate the server from the client
library: the same 4 threads with a bare ``http.client`` connection (what the
server alone could serve), and the server alone in its own process
(``python -m beebole_pandas serve``), so that clients and server do not
share one interpreter lock. The last column gives the share of
``requests``: how much slower the same 4 threads are with it.

    python benchmarks/sandbox.py [--requests 2000] [--people N] [--months N]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

from beebole_pandas import sandbox

TARGET = 1000.0

Client = Callable[[Any, dict[str, Any], int, threading.Barrier, list[str]], None]


def requests_client(
    server: Any, body: dict[str, Any], count: int, barrier: threading.Barrier, errors: list[str]
) -> None:
    """``count`` calls on one ``requests.Session``, as beebole_pandas' client makes them."""
    auth = (server.token, "x")
    with requests.Session() as session:
        session.post(server.url, json=body, auth=auth, timeout=30)  # connect, warm up
        barrier.wait()
        for _ in range(count):
            answer = session.post(server.url, json=body, auth=auth, timeout=30)
            if answer.status_code != 200 or answer.json()["status"] != "ok":
                errors.append(answer.text[:200])
        barrier.wait()


def bare_client(
    server: Any, body: dict[str, Any], count: int, barrier: threading.Barrier, errors: list[str]
) -> None:
    """``count`` calls on one ``http.client`` connection: the server's share alone."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    credentials = base64.b64encode(f"{server.token}:x".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}", "Content-Type": "application/json"}
    data = json.dumps(body).encode()

    def call() -> None:
        connection.request("POST", parts.path, data, headers)
        answer = connection.getresponse()
        payload = answer.read()
        if answer.status != 200 or b'"status":"ok"' not in payload:
            errors.append(payload[:200].decode(errors="replace"))

    call()
    barrier.wait()
    for _ in range(count):
        call()
    barrier.wait()
    connection.close()


def rate(server: Any, body: dict[str, Any], client: Client, *, threads: int, total: int) -> float:
    """Requests per second for ``total`` requests of ``body`` spread over ``threads``."""
    barrier = threading.Barrier(threads + 1)
    errors: list[str] = []
    count = total // threads
    workers = [
        threading.Thread(target=client, args=(server, body, count, barrier, errors))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    barrier.wait()
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return count * threads / elapsed


def one_person_month(server: Any) -> dict[str, Any]:
    """A ``time_entry.list`` body for the first person and the last full demo month."""
    answer = requests.post(
        server.url, json={"service": "person.list"}, auth=(server.token, "x"), timeout=30
    ).json()
    person = answer["people"][0]
    ref = {"id": person["id"]} if "id" in person else {"xid": person["xid"]}
    return {"service": "time_entry.list", "person": ref, "from": "2026-10-01", "to": "2026-10-31"}


class SubprocessServer:
    """``python -m beebole_pandas serve`` in its own process."""

    def __init__(self, people: int | None, months: int | None) -> None:
        command = [sys.executable, "-m", "beebole_pandas", "serve", "--seed", "demo"]
        command += ["--daily-requests", str(10**9), "--daily-kb", str(10**9)]
        if people:
            command += ["--people", str(people)]
        if months:
            command += ["--months", str(months)]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        output = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            output += line
            if "Ctrl-C" in line:
                break
        url = re.search(r"http://\S+/api/v2", output)
        token = re.search(r"^\s*admin: (\S+)$", output, re.MULTILINE)
        if not (url and token):
            self.process.kill()
            raise SystemExit(f"the serve command did not start:\n{output}")
        self.url, self.token = url.group(0), token.group(1)

    def close(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of process ``pid`` (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(mode: str, server: Any, total: int, pid: int | None = None) -> None:
    """Print one table row per service for ``server`` (``pid``: its process, if separate)."""
    cases = {
        "company.list": {"service": "company.list"},
        "time_entry.list": one_person_month(server),
    }
    for name, body in cases.items():
        size = len(
            requests.post(server.url, json=body, auth=(server.token, "x"), timeout=30).content
        )
        one = rate(server, body, requests_client, threads=1, total=total)
        four = rate(server, body, requests_client, threads=4, total=total)
        cpu_before = cpu_seconds(pid)
        bare = rate(server, body, bare_client, threads=4, total=total)
        cpu_after = cpu_seconds(pid)
        per_request = "-"
        if cpu_before is not None and cpu_after is not None:
            per_request = f"{(cpu_after - cpu_before) / total * 1000:.2f} ms"
        print(
            f"{mode:<12}{name:<17}{size:>7}{one:>10.0f}/s{four:>10.0f}/s{four / TARGET:>9.2f}x"
            f"{bare:>13.0f}/s{bare / TARGET:>9.2f}x{per_request:>12}{bare / four:>11.2f}x",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--people", type=int, default=None, help="demo size: people")
    parser.add_argument("--months", type=int, default=None, help="demo size: months")
    args = parser.parse_args()
    print(f"sandbox on loopback, {args.requests} requests per cell, one keep-alive connection")
    print("per client thread; 'vs 1000' is the ratio to the target of 1000 req/s;")
    print("'server CPU' is the server process's CPU time per request (1 core = 1000 ms/s);")
    print("'http/requests' is how much faster the same 4 threads are without requests")
    print(
        f"{'server':<12}{'service':<17}{'bytes':>7}{'requests:1':>12}{'requests:4':>12}"
        f"{'vs 1000':>10}{'http.client:4':>15}{'vs 1000':>10}{'server CPU':>12}"
        f"{'http/requests':>14}"
    )
    # in-process: as tests use it (server and clients share one interpreter lock)
    with sandbox.serve(
        seed="demo", people=args.people, months=args.months, daily_requests=10**9, daily_kb=10**9
    ) as server:
        measure("in-process", server, args.requests)
    other = SubprocessServer(args.people, args.months)
    try:
        measure("subprocess", other, args.requests, other.process.pid)
    finally:
        other.close()


if __name__ == "__main__":
    main()
