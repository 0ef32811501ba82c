"""Command line: ``python -m beebole_pandas demo | serve | report``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = ("demo", "serve", "report")
    if not args or args[0] not in commands:
        print(
            f"usage: python -m beebole_pandas {{{','.join(commands)}}} [options]", file=sys.stderr
        )
        return 2
    command, rest = args[0], args[1:]
    if command == "serve":
        from .sandbox.cli import main as serve_main

        return serve_main(rest)
    from .cli import main as cli_main

    return cli_main(command, rest)


if __name__ == "__main__":
    sys.exit(main())
