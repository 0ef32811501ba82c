"""The package's own files on disk: created private, moved aside when unreadable.

The cache (``http_cache.sqlite``) and the budget meter (``budget.sqlite``)
both keep an SQLite database in the cache directory; this module is the one
place that creates such a file readable by its owner only and that moves a
corrupt one aside so that a new one can be made.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ValidationError

__all__ = ["create_private_file", "quarantine"]

logger = logging.getLogger(__name__)


def create_private_file(path: Path) -> None:
    """Create ``path`` (if missing) readable by its owner only, and force mode 0600.

    SQLite gives its journal and WAL files the mode of the database file, so
    creating the database 0600 before SQLite opens it covers those too.
    """
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def quarantine(path: Path, error: Exception, consequence: str) -> Path:
    """Move an unreadable SQLite file aside (with its -wal/-shm) so that a new one can be made.

    Returns the new name of the file; logs a warning naming both.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{path}{suffix}")
    except OSError as exc:
        raise ValidationError(
            f"{path} is not a usable SQLite database ({error}) and could not be moved aside "
            f"({exc.strerror or exc}): delete it, or pass another cache_dir= to bb.connect()."
        ) from None
    logger.warning(
        "%s is not a usable SQLite database (%s); moved it to %s and started a new one: %s.",
        path,
        error,
        target.name,
        consequence,
    )
    return target
