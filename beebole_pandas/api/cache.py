"""The response cache: where it lives, what it keeps, for how long, and for whom.

One SQLite file (``http_cache.sqlite``, requests-cache's SQLite backend) in the
cache directory holds the cached reads of every account. Entries are isolated
per account by their key, never by the token itself:

``<fingerprint>:<service>:<sha256 of the JSON body>``

where the fingerprint is an HMAC-SHA256 of the endpoint and the token. (By
default requests-cache redacts ``Authorization`` before building a key, so two
tokens would share one entry; keeping ``Authorization`` in the key would put
the base64 token on disk.) Having the service in the key makes invalidation a
prefix match.

Only read services are cached, and only their ``status: ok`` answers. Each read
carries its own expiry (:func:`expiry_for`): reference data for hours, time
entries of closed months for days, the current period for minutes, export job
polls never. A write drops the account's reads it may affect
(:func:`affected_prefixes`); a read that was in flight meanwhile drops its own
answer (:class:`Generations`).

A directory the client creates is 0700 (an existing one keeps its mode) and every file 0600; the SQLite files are created 0600
before SQLite opens them, which gives their ``-wal``/``-shm`` companions the
same mode. Both databases run in WAL mode without an fsync per write: a cache
may lose its last entries in a power cut, never its integrity.

>>> from beebole_pandas.api.cache import classify, expiry_for
>>> classify("project.list"), classify("project.update"), classify("time_entry.get_job_info")
('read', 'write', 'uncached')
>>> classify("time_entry.export")
'job'
>>> expiry_for("company.list", {})
datetime.timedelta(seconds=14400)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import io
import json
import logging
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import requests

from ..errors import ValidationError
from .answers import is_ok
from .files import SQLITE_SUFFIXES, check_owned, create_private_file, quarantine
from .formats import find_list_separator

__all__ = [
    "CLOSED_PERIOD",
    "CURRENT_PERIOD",
    "NON_MUTATING",
    "READ_VERBS",
    "REFERENCE",
    "SERVICE_NAME",
    "UNCACHED_READS",
    "Generations",
    "KeyLocks",
    "affected_prefixes",
    "build_session",
    "cache_key",
    "cached_answer",
    "classify",
    "delete_keys",
    "delete_prefixes",
    "encode_body",
    "expiry_for",
    "fingerprint",
    "resolve_cache_dir",
    "store_answer",
]

logger = logging.getLogger(__name__)

CACHE_FILE = "http_cache.sqlite"
BUDGET_FILE = "budget.sqlite"

#: Verbs that only read. ``get_job_info`` reads, but a job's state changes, so it is never cached.
READ_VERBS = frozenset(
    {
        "list",
        "get",
        "groups",
        "members",
        "managers",
        "specific_tasks",
        "custom_fields",
        "leaders",
        "tree",
        "assignments",
        "get_entities",
        "get_tasks",
        "get_job_info",
    }
)
UNCACHED_READS = frozenset({"time_entry.get_job_info"})
#: Start a server-side job and change no data: retried like reads, never cached as
#: such, and they drop no cached read. ``time_entry.export`` starts a job; its
#: finished result is cached by ``export_jobs.run_export`` (``Client.remember``).
NON_MUTATING = frozenset({"time_entry.export"})

#: Expiry of reference data (companies, people, projects, tasks, groups...).
REFERENCE = timedelta(hours=4)
#: Expiry of time entries of a past period in which every entry was approved or
#: locked when read ("closed": such entries can no longer change).
CLOSED_PERIOD = timedelta(days=3)
#: Expiry of any other time-entry read ("current": drafts, submissions and
#: rejections change in the web app at any time, whatever the calendar says).
CURRENT_PERIOD = timedelta(minutes=5)
#: Statuses that no longer change, as codes or as the reference's labels.
SETTLED_STATUSES = frozenset({"a", "l", "approved", "locked"})

#: A write to an entity (key) can change what reads of these entities return:
#: children embed their parents' names, lists carry counters, time entries
#: name their company/project/task/person, group assignments show on both sides.
_EVERYTHING = ("",)
_AFFECTS: dict[str, tuple[str, ...]] = {
    "time_entry": ("time_entry",),
    "company": (
        "company",
        "person",
        "project",
        "subproject",
        "task",
        "absence",
        "group",
        "time_entry",
    ),
    "person": ("person", "company", "project", "subproject", "group", "time_entry"),
    "project": ("project", "company", "subproject", "task", "group", "time_entry"),
    "subproject": ("subproject", "project", "task", "group", "time_entry"),
    "task": ("task", "company", "project", "subproject", "group", "time_entry"),
    "absence": ("absence", "group", "time_entry"),
}

ServiceKind = Literal["read", "uncached", "job", "write"]


def classify(service: str) -> ServiceKind:
    """``"read"`` (cached, retried), ``"uncached"`` (retried, never cached),
    ``"job"`` (starts a job: retried, never cached, changes no data) or ``"write"``.

    Unknown verbs count as writes: never cached, never retried.

    Examples
    --------
    >>> classify("time_entry.export"), classify("company.create")
    ('job', 'write')
    """
    if service in UNCACHED_READS:
        return "uncached"
    if service in NON_MUTATING:
        return "job"
    verb = service.rpartition(".")[2]
    return "read" if verb in READ_VERBS else "write"


def affected_prefixes(service: str) -> tuple[str, ...]:
    """Service prefixes whose cached reads a successful write of ``service`` makes stale.

    Examples
    --------
    >>> affected_prefixes("time_entry.create")
    ('time_entry.',)
    """
    if service in NON_MUTATING:
        return ()
    entity = service.partition(".")[0]
    targets = _AFFECTS.get(entity)
    if targets is None:  # groups, custom fields, anything unknown: drop all
        return _EVERYTHING
    return tuple(f"{t}." for t in targets)


# -- expiry -----------------------------------------------------------------


#: Longer than any cache needs, and well within what a timedelta can hold.
_MAX_SECONDS = 1e12


def check_expiry(expire_after: Any) -> None:
    """Refuse, when the client is made, an ``expire_after`` that :func:`expiry_for`
    could not use at call time.

    Raises
    ------
    TypeError
        Not a number, a timedelta, or a mapping of names to those.
    ValidationError
        A number that is not finite (NaN, infinity).

    Examples
    --------
    >>> check_expiry({"reference": 3600, "closed": timedelta(days=1)})
    >>> check_expiry("soon")
    Traceback (most recent call last):
    ...
    TypeError: expire_after must be seconds (a number), a timedelta, or a mapping of service, entity or category names ('reference', 'closed', 'current') to those; got str 'soon'
    """
    if expire_after is None:
        return
    values = expire_after.items() if isinstance(expire_after, Mapping) else [(None, expire_after)]
    for name, value in values:
        where = "expire_after" if name is None else f"expire_after[{name!r}]"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if (name is not None and not isinstance(name, str)) or not (
            number or isinstance(value, timedelta)
        ):
            raise TypeError(
                "expire_after must be seconds (a number), a timedelta, or a mapping of "
                "service, entity or category names ('reference', 'closed', 'current') to "
                f"those; got {type(value).__name__} {value!r}"
                + ("" if name is None or isinstance(name, str) else f" under key {name!r}")
            )
        if number and not (math.isfinite(value) and abs(value) < _MAX_SECONDS):
            raise ValidationError(
                f"{where} must be a finite number of seconds under {_MAX_SECONDS:.0e} "
                f"(negative: never expire); got {value!r}"
            )


def _as_timedelta(value: float | int | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def is_time_entry_read(service: str) -> bool:
    """Whether the expiry of ``service``'s answers depends on the entries' statuses."""
    return service in ("time_entry.list", "time_entry.get", "time_entry.export")


def _period_end(params: Mapping[str, Any]) -> date | None:
    for member in ("to", "date"):
        value = params.get(member)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value[:10])
    return None


def _statuses(
    service: str, params: Mapping[str, Any], answer: Mapping[str, Any]
) -> list[Any] | None:
    """The status of every time entry in ``answer``, or None when it does not show them."""
    if service == "time_entry.list":
        rows = answer.get("timeEntries")
        if not isinstance(rows, list):
            return None
        return [r.get("status") if isinstance(r, Mapping) else None for r in rows]
    if service == "time_entry.get":
        entry = answer.get("timeEntry")
        return [entry.get("status")] if isinstance(entry, Mapping) else None
    keys, job = params.get("keys"), answer.get("job")
    if (
        service != "time_entry.export"
        or not isinstance(keys, list)
        or "status" not in keys
        or not isinstance(job, Mapping)
    ):
        return None  # no status column: nothing tells
    at, result = keys.index("status"), job.get("result")
    if isinstance(result, str):
        result = _csv_rows(result, len(keys))
    if not isinstance(result, list):
        return None
    rows = result[1:]  # the first row holds the (localised) labels
    return [row[at] if isinstance(row, list) and len(row) > at else None for row in rows]


def _csv_rows(text: str, width: int) -> list[list[str]] | None:
    """The rows of a CSV export result of ``width`` keys; None when it is not CSV."""
    separator = find_list_separator(text, width)
    if separator is None:
        return None
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=separator)]


def settled(service: str, params: Mapping[str, Any], answer: Mapping[str, Any]) -> bool:
    """Whether every time entry ``answer`` shows was approved or locked (none can change).

    >>> settled("time_entry.list", {}, {"timeEntries": [{"status": "a"}, {"status": "l"}]})
    True
    >>> settled("time_entry.list", {}, {"timeEntries": [{"status": "a"}, {"status": "d"}]})
    False
    """
    statuses = _statuses(service, params, answer)
    return statuses is not None and all(
        isinstance(s, str) and s.lower() in SETTLED_STATUSES for s in statuses
    )


def expiry_for(
    service: str,
    params: Mapping[str, Any],
    *,
    today: date | None = None,
    overrides: float | timedelta | Mapping[str, float | timedelta] | None = None,
    answer: Mapping[str, Any] | None = None,
) -> timedelta:
    """How long a read's answer stays fresh in the cache.

    Time entries are "closed" (:data:`CLOSED_PERIOD`) only when their period
    is over and every entry in ``answer`` was approved or locked: a draft can
    be submitted in the web app at any time, whatever the calendar says.
    Without ``answer`` (before it arrives) they are "current"
    (:data:`CURRENT_PERIOD`); the client extends the expiry once it has read
    a settled answer.

    Parameters
    ----------
    service, params
        The request.
    today
        The current date (UTC): a period ending today or later is never closed.
    overrides
        A single expiry for every read, or a mapping whose keys are service
        names, entity names or the categories ``"reference"``, ``"closed"``,
        ``"current"``. A negative value means never expire.
    answer
        The answer, for time entries: whether all of them are settled.

    Examples
    --------
    >>> done = {"timeEntries": [{"status": "a"}]}
    >>> expiry_for("time_entry.list", {"to": "2020-01-31"}, today=date(2026, 11, 28), answer=done)
    datetime.timedelta(days=3)
    >>> expiry_for("time_entry.list", {"to": "2020-01-31"}, today=date(2026, 11, 28))
    datetime.timedelta(seconds=300)
    """
    today = today or datetime.now(UTC).date()
    if is_time_entry_read(service):
        end = _period_end(params)
        over = end is not None and end < today
        closed = over and answer is not None and settled(service, params, answer)
        category = "closed" if closed else "current"
    else:
        category = "reference"
    default = {"reference": REFERENCE, "closed": CLOSED_PERIOD, "current": CURRENT_PERIOD}[category]
    if overrides is None:
        return default
    if not isinstance(overrides, Mapping):
        return _as_timedelta(overrides)
    for name in (service, service.partition(".")[0], category):
        if name in overrides:
            return _as_timedelta(overrides[name])
    return default


# -- keys -------------------------------------------------------------------

_FINGERPRINT_KEY = b"beebole_pandas account fingerprint v1"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]")
#: What a service name looks like: ``entity.verb``.
SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def fingerprint(url: str, token: str) -> str:
    """A short, non-secret id of an account at an endpoint (HMAC-SHA256, 16 hex digits).

    Examples
    --------
    >>> fingerprint("https://beebole-apps.com/api/v2", "secret")  # doctest: +ELLIPSIS
    '...'
    """
    message = f"{url.rstrip('/')}\n{token}".encode()
    return hmac.new(_FINGERPRINT_KEY, message, hashlib.sha256).hexdigest()[:16]


def _json_default(value: Any) -> Any:
    """numpy scalars as Python numbers, dates as the API's strings; anything else is refused."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    item = getattr(value, "item", None)  # numpy / pandas scalars
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} value {value!r} cannot be sent as JSON")


def encode_body(service: str, params: Mapping[str, Any]) -> bytes:
    """The canonical JSON body of a call: same call, same bytes, same cache key.

    Examples
    --------
    >>> encode_body("time_entry.list", {"to": date(2026, 1, 31), "from": "2026-01-01"})
    b'{"from":"2026-01-01","service":"time_entry.list","to":"2026-01-31"}'
    """
    return json.dumps(
        {"service": service, **params},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    ).encode()


def service_of(body: bytes | str | None) -> str:
    """The ``service`` member of a JSON body, or ``""``."""
    if not body:
        return ""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    service = data.get("service") if isinstance(data, dict) else None
    return service if isinstance(service, str) else ""


def cache_key(namespace: str, body: bytes | str | None) -> str:
    """``<namespace>:<service>:<sha256(body)>``; the namespace is the account fingerprint.

    Only ``[A-Za-z0-9_.]`` survive in the service part: requests-cache 1.3.3
    pastes keys into its SQL, so a quote must never reach a key.
    """
    raw = body.encode() if isinstance(body, str) else (body or b"")
    service = _UNSAFE.sub("_", service_of(raw))
    return f"{namespace}:{service}:{hashlib.sha256(raw).hexdigest()[:40]}"


# -- the directory ------------------------------------------------------------


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache directory: the argument, else ``$BEEBOLE_CACHE_DIR``, else the user cache dir.

    A directory created here (and the default one, which is ours) is made
    0700; an existing directory the caller named keeps its mode: it may be
    shared on purpose, and the files in it are 0600 anyway. A directory that
    is a symbolic link, or another user's, is refused, and so is an empty
    ``cache_dir`` (it would mean the working directory).

    Raises
    ------
    ValidationError
        The directory cannot be made, is a link, not a directory, or not the
        user's; the message says what to do.

    Examples
    --------
    >>> resolve_cache_dir("/tmp/bb-cache-example")
    PosixPath('/tmp/bb-cache-example')
    """
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(
            f"cache_dir must be a directory (str or path), or None for the default; "
            f"got {type(cache_dir).__name__} {cache_dir!r}"
        )
    if isinstance(cache_dir, str) and not cache_dir.strip():
        raise ValidationError(
            f"cache_dir={cache_dir!r} is empty: pass a directory, or None for the default "
            "user cache directory."
        )
    if cache_dir is None:
        cache_dir = os.environ.get("BEEBOLE_CACHE_DIR") or None
    ours = cache_dir is None
    if cache_dir is None:
        import platformdirs

        cache_dir = platformdirs.user_cache_dir("beebole_pandas")
    path = Path(cache_dir).expanduser().absolute()
    ours = ours or not path.exists()
    if path == Path.cwd().absolute():
        logger.warning(
            "The Beebole cache is in the working directory (%s), where it may get committed "
            "next to notebooks; prefer the default user cache directory.",
            path,
        )
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ValidationError(
            f"Cannot use {path} as the Beebole cache directory ({exc.strerror or exc}); "
            "pass cache_dir= to bb.connect() or set BEEBOLE_CACHE_DIR to a writable directory."
        ) from None
    try:
        check_owned(path, kind="directory")
    except FileNotFoundError:  # removed since mkdir
        raise ValidationError(f"The Beebole cache directory {path} vanished; try again.") from None
    if ours:
        try:
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
        except OSError as exc:  # not ours after all: say so, but still work
            logger.warning("Could not make the cache directory %s private (0700): %s", path, exc)
    return path


def secure_files(directory: Path) -> None:
    """Check and force mode 0600 on the cache's own files that exist (the
    databases and SQLite's journal/WAL companions), refusing links and files
    of other users (:func:`~beebole_pandas.api.files.check_owned`)."""
    for name in (CACHE_FILE, BUDGET_FILE):
        for suffix in ("", *SQLITE_SUFFIXES):
            path = directory / f"{name}{suffix}"
            try:
                info = check_owned(path)
            except FileNotFoundError:
                continue
            if info.st_mode & 0o077:
                with contextlib.suppress(FileNotFoundError, PermissionError):
                    os.chmod(path, 0o600)  # chmod opens nothing: SQLite's locks stay


# -- the session ----------------------------------------------------------------


def _cacheable(response: Any) -> bool:
    """requests-cache's ``filter_fn``: keep only ``status: ok`` answers of cacheable reads.

    Non-200 answers are never stored (``allowable_codes``); returning True for
    them keeps an older entry that stale-if-error may still serve.
    """
    if getattr(response, "from_cache", False):
        return True
    request = getattr(response, "request", None)
    if classify(service_of(getattr(request, "body", None))) != "read":
        return False
    if response.status_code != 200:
        return True
    verdict = getattr(response, "_bb_cacheable", None)
    if verdict is None:
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        verdict = is_ok(data)
        with contextlib.suppress(AttributeError):
            response._bb_cacheable = verdict
    return bool(verdict)


def build_session(directory: Path, namespace: str) -> requests.Session:
    """A requests-cache ``CachedSession`` over ``directory/http_cache.sqlite`` for one account.

    The caller sets auth and mounts the metered adapter.
    """
    path = directory / CACHE_FILE

    def key_fn(request: Any, **_: Any) -> str:
        return cache_key(namespace, getattr(request, "body", None))

    secure_files(directory)
    try:
        session = _open_session(path, key_fn)
    except sqlite3.DatabaseError as exc:
        quarantine(path, exc, "cached answers will be fetched again")
        session = _open_session(path, key_fn)
    secure_files(directory)
    return session


def _open_session(path: Path, key_fn: Any) -> requests.Session:
    """Open (or create) the cache file; raises ``sqlite3.DatabaseError`` if it is no database."""
    from requests_cache import CachedSession

    create_private_file(path)
    session = CachedSession(
        str(path),
        backend="sqlite",
        serializer="json",  # inspectable, and no pickle to load from disk
        wal=True,  # no fsync per saved response: a cache may lose its last entries, not its file
        allowable_methods=("POST",),
        allowable_codes=(200,),
        key_fn=key_fn,
        filter_fn=_cacheable,
        expire_after=REFERENCE,
        stale_if_error=False,  # the client serves stale answers itself, after its retries
    )
    # A database of another shape fails here, where it is moved aside, not at the first call.
    session.cache.get_response("-")
    return session


def store_answer(
    session: Any, key: str, url: str, body: bytes, answer: Mapping[str, Any], expire: timedelta
) -> None:
    """Save ``answer`` under ``key`` as if the server had sent it in reply to ``body``.

    The stored request carries no credentials: it is built here, not by the session.
    """
    from requests.structures import CaseInsensitiveDict
    from requests_cache import CachedRequest, CachedResponse
    from requests_cache.policy.expiration import get_expiration_datetime, utcnow

    headers = {"Content-Type": "application/json"}
    request = requests.Request("POST", url, data=body, headers=headers).prepare()
    expires = get_expiration_datetime(expire)
    response = CachedResponse(
        content=json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode(),
        status_code=200,
        reason="OK",
        url=url,
        encoding="utf-8",
        headers=CaseInsensitiveDict(headers),
        request=CachedRequest.from_request(request),
        created_at=utcnow(),
        expires=expires,
    )
    session.cache.save_response(response, cache_key=key, expires=expires)


def cached_answer(session: Any, key: str) -> tuple[dict[str, Any], Any] | None:
    """The ``status: ok`` answer stored under ``key`` (expired or not) and its entry, or None."""
    response = session.cache.get_response(key)
    if response is None:
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if not is_ok(data):
        return None
    return data, response


def delete_keys(session: Any, keys: list[str]) -> None:
    """Delete entries by key (without VACUUM: it rewrites the whole file, and fails
    while another thread is reading)."""
    if keys:
        session.cache.delete(*keys, vacuum=False)


def delete_prefixes(session: Any, namespace: str, prefixes: Iterable[str]) -> int:
    """Delete this account's entries whose service starts with one of ``prefixes``; returns how many."""
    heads = [f"{namespace}:{p}" for p in prefixes]
    keys = [k for k in list(session.cache.responses.keys()) if any(k.startswith(h) for h in heads)]
    delete_keys(session, keys)
    return len(keys)


# -- one request per key at a time --------------------------------------------


class KeyLocks:
    """A lock per cache key, so identical concurrent reads cost one request.

    Locks are reference-counted and dropped when nobody holds or waits for them.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class Generations:
    """A counter per account, bumped by every invalidation.

    A read that was in flight while a write landed may bring back an answer
    from before the write, and save it after the write dropped the entry; a
    read compares the counter before and after, and drops its own entry if
    it moved.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._counts: dict[str, int] = {}

    def get(self, namespace: str) -> int:
        with self._guard:
            return self._counts.get(namespace, 0)

    def bump(self, namespace: str) -> None:
        with self._guard:
            self._counts[namespace] = self._counts.get(namespace, 0) + 1
