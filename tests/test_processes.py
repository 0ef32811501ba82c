"""Clients in several processes sharing one cache and one budget file.

The way people really run notebooks: a cell ``client = bb.connect(token)``
run again and again in one kernel while another kernel or a script uses the
same cache directory. The persisted count must equal what the server served,
exactly, and a write made in one process must be seen by every other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb

WORKER = Path(__file__).with_name("processes_worker.py")
CALLS = 60


@pytest.mark.slow
def test_four_processes_count_exactly_and_see_each_others_writes(
    fresh_server: Any, tmp_path: Path
) -> None:
    cache_dir, sync = tmp_path / "cache", tmp_path / "sync"
    sync.mkdir()
    env = {**os.environ, "BEEBOLE_TOKEN": fresh_server.token}
    roles = ["two", "two", "one", "writer"]
    fresh_server.reset_stats()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                fresh_server.url,
                str(cache_dir),
                role,
                str(sync),
                str(CALLS),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in roles
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(sync.glob("ready-*"))) < len(workers):
            assert time.monotonic() < deadline, "workers never got ready"
            assert all(w.poll() is None for w in workers), [w.communicate() for w in workers]
            time.sleep(0.05)
        (sync / "go").touch()
        outputs = [w.communicate(timeout=240) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for w, (_, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]

    # Every process sees the write, through every one of its clients.
    assert [r["seen"] for r in results] == [["Renamed Co"] * len(r["seen"]) for r in results]

    served = fresh_server.stats()["by_token"]["admin"]
    client = bb.connect(
        fresh_server.token, url=fresh_server.url, cache_dir=cache_dir, set_default=False
    )
    try:
        persisted = client.budget.requests_used
    finally:
        client.close()
    # CALLS gets per process, the write, and at least one list before and after it
    # (the other processes may find the lists in the shared cache)
    assert served >= 4 * CALLS + 3
    assert persisted == served
