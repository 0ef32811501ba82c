"""Command line: ``python -m beebole_pandas demo | report | doctor | serve``."""

from __future__ import annotations

import sys

#: The commands, with what each does (the first line of ``--help``).
COMMANDS = {
    "demo": "build a timesheet report of the bundled demo account (a local sandbox)",
    "report": "build the timesheet report of a real account (BEEBOLE_TOKEN)",
    "doctor": "check a real account (BEEBOLE_TOKEN) in at most 15 requests; read-only",
    "serve": "run the sandbox, a local server of the Beebole v2 API",
}


def _usage() -> str:
    lines = [f"usage: python -m beebole_pandas {{{','.join(COMMANDS)}}} [options]", "", "commands:"]
    lines += [f"  {name:<8}{what}" for name, what in COMMANDS.items()]
    lines += ["", "python -m beebole_pandas COMMAND --help shows the options of a command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit status (0 for ``--help``, 2 for a bad command).

    Examples
    --------
    >>> main(["--help"])  # doctest: +ELLIPSIS
    usage: python -m beebole_pandas {demo,report,doctor,serve} [options]
    ...
    0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if not args or args[0] not in COMMANDS:
        said = f"unknown command {args[0]!r}" if args else "no command given"
        print(f"error: {said}\n{_usage()}", file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    if command == "serve":
        from .sandbox.cli import main as serve_main

        return serve_main(rest)
    from .cli import main as cli_main

    return cli_main(command, rest)


if __name__ == "__main__":
    sys.exit(main())
