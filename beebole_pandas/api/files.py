"""The package's own files on disk: created private, never through a link,
moved aside when unreadable.

The cache (``http_cache.sqlite``) and the budget meter (``budget.sqlite``)
both keep an SQLite database in the cache directory; this module is the one
place that checks the directory, creates such a file readable by its owner
only, and moves a corrupt one aside so that a new one can be made.

Two rules hold everywhere here:

- A file is never opened to be created or checked. On Linux, closing *any*
  descriptor of a file drops all of the process's POSIX locks on it, and
  SQLite keeps its locks that way: a second client opening and closing the
  database that a first one holds (a notebook cell ``bb.connect(...)`` run
  again) let other processes write under its feet (lost counts, ``disk I/O
  error``, ``database disk image is malformed``). Files are made with
  ``mknod`` and their mode set with ``chmod``, neither of which opens them.
- Nothing is followed through a symbolic link, and nothing that belongs to
  another user is used: a planted link would point the cache, or a chmod, at
  another file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ValidationError

__all__ = ["SQLITE_SUFFIXES", "check_owned", "create_private_file", "quarantine"]

logger = logging.getLogger(__name__)

#: The files SQLite keeps beside a database.
SQLITE_SUFFIXES = ("-journal", "-wal", "-shm")
_CREATING = threading.Lock()
_REMEDY = "remove it, or pass another cache_dir= to bb.connect() (or set BEEBOLE_CACHE_DIR)"


def check_owned(path: Path, *, kind: str = "file") -> os.stat_result:
    """``os.lstat(path)``, refused unless ``path`` is a ``kind`` (``"file"`` or
    ``"directory"``) of the current user and no symbolic link.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValidationError
        ``path`` is a link, another kind of thing, or another user's; the
        message says which and what to do.

    Examples
    --------
    >>> import tempfile
    >>> check_owned(Path(tempfile.mkdtemp()), kind="directory").st_mode & 0o170000 == stat.S_IFDIR
    True
    """
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise ValidationError(
            f"{path} is a symbolic link; the Beebole cache follows no link (a planted one "
            f"could point the cache, or its chmod, at another file): {_REMEDY}."
        )
    is_kind = stat.S_ISDIR if kind == "directory" else stat.S_ISREG
    if not is_kind(info.st_mode):
        raise ValidationError(f"{path} is not a {kind}, as the Beebole cache needs: {_REMEDY}.")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise ValidationError(
            f"{path} belongs to another user (uid {info.st_uid}, you are {os.geteuid()}); "
            f"the Beebole cache uses only its own files: {_REMEDY}."
        )
    return info


def _make_private(path: Path, info: os.stat_result) -> None:
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o600)  # chmod opens nothing: SQLite's locks stay


def create_private_file(path: Path) -> None:
    """Make sure ``path`` is a regular file of the current user with mode 0600,
    creating it if missing, without opening it and without following a link.

    SQLite gives its journal and WAL files the mode of the database file, so a
    database made 0600 before SQLite opens it covers those too. The companions
    already there are checked (no link, ours) and made 0600 as well.

    Raises
    ------
    ValidationError
        The file, or a companion, is a link, not a regular file, another
        user's, or cannot be created (the message says why and what to do).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "budget.sqlite"
    >>> create_private_file(target)
    >>> oct(target.stat().st_mode & 0o777)
    '0o600'
    """
    try:
        os.mknod(path, 0o600 | stat.S_IFREG)  # fails on an existing name, a link's too
    except FileExistsError:
        pass
    except OSError as exc:  # no unprivileged mknod (macOS): an exclusive create, never a link
        if not isinstance(exc, PermissionError | NotImplementedError):
            _cannot_create(path, exc)
        _create_exclusively(path)
    for target in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SUFFIXES)):
        try:
            info = check_owned(target)
        except FileNotFoundError:
            if target == path:
                _cannot_create(path, FileNotFoundError("removed while being created"))
            continue
        _make_private(target, info)


def _create_exclusively(path: Path) -> None:
    # The descriptor is closed at once; the lock keeps another client of this
    # process from opening the new database in between (closing would drop its locks).
    with _CREATING:
        try:
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            _cannot_create(path, exc)
        os.close(fd)


def _cannot_create(path: Path, exc: OSError) -> None:
    raise ValidationError(
        f"Cannot create {path} for the Beebole cache ({exc.strerror or exc}): pass another "
        "cache_dir= to bb.connect() (or set BEEBOLE_CACHE_DIR) to a writable directory of yours."
    ) from None


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
