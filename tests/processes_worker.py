"""One process of tests/test_processes.py: clients sharing one cache and budget.

Run as ``python processes_worker.py URL CACHE_DIR ROLE SYNC_DIR CALLS``, with the
token in ``$BEEBOLE_TOKEN`` (never on a command line). ROLE is ``one`` (one
client, the whole run), ``two`` (a second client made anew every few calls
while the first stays open: a notebook cell ``bb.connect(token)`` run again
and again), or ``writer`` (one client, which renames a company half-way).
It prints, as JSON, the company name it reads after the write.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import beebole_pandas as bb

COMPANY = {"id": 104}  # Globex Corporation, a company without xid


def wait_for(path: Path, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.01)


def company_name(client: bb.Client) -> str:
    companies = client.call("company.list")["companies"]
    return next(c["name"] for c in companies if c.get("id") == COMPANY["id"])


def main(url: str, cache_dir: str, role: str, sync: str, calls: int) -> None:
    sync_dir = Path(sync)
    token = os.environ["BEEBOLE_TOKEN"]
    first = bb.connect(token, url=url, cache_dir=cache_dir, set_default=False)
    company_name(first)  # cached before the write: the write must reach this cache too
    (sync_dir / f"ready-{os.getpid()}").touch()
    wait_for(sync_dir / "go")
    second = None
    for i in range(calls):
        client = first
        if role == "two":
            if i % 5 == 0:
                # bb.connect closes the default client it replaces
                second = bb.connect(token, url=url, cache_dir=cache_dir)
            client = second if i % 2 else first
        client.call("person.get", refresh=True, id=1001)
        if role == "writer" and i == calls // 2:
            first.call("company.update", company={"id": COMPANY["id"], "name": "Renamed Co"})
            (sync_dir / "written").touch()
    (sync_dir / f"done-{os.getpid()}").touch()
    wait_for(sync_dir / "written")
    seen = [company_name(first)] + ([company_name(second)] if second is not None else [])
    print(json.dumps({"role": role, "seen": seen}))
    first.close()
    bb.disconnect()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
