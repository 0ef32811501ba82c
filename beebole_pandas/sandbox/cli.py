"""``python -m beebole_pandas serve``: the sandbox as a standalone server.

>>> from beebole_pandas.sandbox.cli import main
>>> main(["--seed", "empty", "--port", "8765"])   # doctest: +SKIP
Beebole sandbox (seed 'empty') serving at http://127.0.0.1:8765/api/v2
...
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m beebole_pandas serve``."""
    parser = argparse.ArgumentParser(
        prog="python -m beebole_pandas serve",
        description="Run a local Beebole v2 API sandbox until Ctrl-C (or SIGTERM).",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.add_argument("--seed", default="demo", help="account to serve: demo (default) or empty")
    parser.add_argument(
        "--db", metavar="PATH", default=None, help="SQLite file for the state (default: in memory)"
    )
    parser.add_argument("--people", type=int, default=None, help="demo size: number of people")
    parser.add_argument("--months", type=int, default=None, help="demo size: months of entries")
    parser.add_argument(
        "--daily-requests",
        type=int,
        default=4000,
        help="per-token daily request quota (default: 4000)",
    )
    parser.add_argument(
        "--daily-kb",
        type=int,
        default=2048,
        help="per-token daily quota of response KB (default: 2048)",
    )
    parser.add_argument(
        "--export-delay", type=float, default=0.2, help="seconds an export job takes (default: 0.2)"
    )
    parser.add_argument(
        "--literal",
        action="store_true",
        help="answer exactly the documented shapes (no status where the reference shows none, "
        "no undocumented members)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox until SIGINT/SIGTERM; return the exit code.

    Parameters
    ----------
    argv
        The arguments after ``serve`` (default: ``sys.argv[2:]``).

    Examples
    --------
    >>> main(["--seed", "demo", "--people", "200", "--months", "24"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(sys.argv[2:] if argv is None else argv)
    from .server import SandboxServer

    try:
        server = SandboxServer(
            args.seed,
            port=args.port,
            host=args.host,
            daily_requests=args.daily_requests,
            daily_kb=args.daily_kb,
            db=args.db,
            people=args.people,
            months=args.months,
            export_delay=args.export_delay,
            literal=args.literal,
        )
        server.start()
    except Exception as exc:  # a bad quota, seed, size or port: say it, no traceback
        print(f"error: cannot start the sandbox: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        mode = ", literal mode" if args.literal else ""
        print(f"Beebole sandbox (seed {args.seed!r}{mode}) serving at {server.url}")
        print("tokens (HTTP Basic user, password 'x'):")
        for role, token in server.tokens.items():
            print(f"  {role}: {token}")
        print("Ctrl-C to stop", flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
    print("sandbox stopped", flush=True)
    return 0
