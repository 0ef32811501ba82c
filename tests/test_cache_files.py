"""The cache directory and its files: no link followed, nothing of another user
used, nothing opened that SQLite holds (see ``beebole_pandas.api.files``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

import beebole_pandas as bb


def connect(server: Any, cache_dir: Any) -> bb.Client:
    return bb.connect(server.token, url=server.url, cache_dir=cache_dir, set_default=False)


@pytest.mark.parametrize(
    "name", ["budget.sqlite", "http_cache.sqlite", "budget.sqlite-wal", "http_cache.sqlite-shm"]
)
def test_a_planted_link_is_refused_and_its_target_left_alone(
    demo_server: Any, tmp_path: Path, name: str
) -> None:
    cache_dir, target = tmp_path / "cache", tmp_path / "victim.txt"
    cache_dir.mkdir()
    target.write_text("someone else's file\n")
    os.chmod(target, 0o644)
    (cache_dir / name).symlink_to(target)
    with pytest.raises(bb.ValidationError, match=r"symbolic link.*follows no link.*cache_dir="):
        connect(demo_server, cache_dir)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text() == "someone else's file\n"
    assert not list(tmp_path.glob("victim.txt-*"))  # no companion made beside the target


def test_a_dangling_link_makes_no_file_where_it_points(demo_server: Any, tmp_path: Path) -> None:
    cache_dir, elsewhere = tmp_path / "cache", tmp_path / "elsewhere.sqlite"
    cache_dir.mkdir()
    (cache_dir / "http_cache.sqlite").symlink_to(elsewhere)
    with pytest.raises(bb.ValidationError, match="symbolic link"):
        connect(demo_server, cache_dir)
    assert not elsewhere.exists()


def test_a_cache_directory_that_is_a_link_is_refused(demo_server: Any, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(bb.ValidationError, match=r"link.*symbolic link"):
        connect(demo_server, tmp_path / "link")
    assert list(real.iterdir()) == []


def test_an_empty_cache_dir_is_refused_not_the_working_directory(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(bb.ValidationError, match=r"cache_dir='' is empty"):
        connect(demo_server, "")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_in_place_of_a_file_gets_a_clear_error(
    demo_server: Any, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    (cache_dir / "budget.sqlite").mkdir(parents=True)
    with pytest.raises(bb.ValidationError, match=r"budget.sqlite is not a file"):
        connect(demo_server, cache_dir)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_files_and_directories_of_another_user_are_refused(
    demo_server: Any, tmp_path: Path
) -> None:
    nobody = 65534
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, nobody, nobody)
    with pytest.raises(bb.ValidationError, match=r"belongs to another user \(uid 65534"):
        connect(demo_server, theirs)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "budget.sqlite").touch()
    os.chown(mine / "budget.sqlite", nobody, nobody)
    with pytest.raises(bb.ValidationError, match=r"budget.sqlite belongs to another user"):
        connect(demo_server, mine)


def test_a_second_client_leaves_the_first_ones_database_unopened(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing any descriptor of a file SQLite holds drops its POSIX locks: a
    # second client over the same files must not open them to check or create.
    cache_dir = tmp_path / "cache"
    first = connect(demo_server, cache_dir)
    first.call("company.list")
    opened: list[str] = []
    real_open = os.open

    def spy(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    second = connect(demo_server, cache_dir)
    monkeypatch.undo()
    try:
        assert not [p for p in opened if Path(p).name.startswith(("budget.sqlite", "http_cache"))]
        assert second.call("company.list", refresh=True)["companies"]
        assert first.budget.requests_used == second.budget.requests_used == 2
    finally:
        first.close()
        second.close()
