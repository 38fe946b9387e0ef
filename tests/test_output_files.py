"""Files written for people are complete or not there (`db.output_files`), and a file system error is one sentence
naming the file: the helper alone, then the quarantine export against the real PostgreSQL (the plan's exports are
in tests/test_plan_review.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.import_review import export_quarantine
from db.output_files import OutputFileError, replacing
from tests.conftest import make_engagement


def test_a_file_is_written_whole_over_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    target.write_text("old")
    with replacing(target, newline="", encoding="utf-8") as fh:
        fh.write("new")
        assert target.read_text() == "old"  # until the block ends
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]


def test_a_failure_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    target.write_text("old")
    with pytest.raises(LookupError, match="no plan"), replacing(target) as fh:
        fh.write("half")
        raise LookupError("no plan")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]


@pytest.mark.parametrize(("target", "why"), [
    ("gone/rows.csv", "no such file or directory"),
    ("a-folder", "is a directory"),
    ("/proc/rows.csv", None),  # root: no such file or directory; anyone else: permission denied
    ("/sys/rows.csv", None),
])
def test_a_file_system_error_names_the_file_in_one_sentence(tmp_path: Path, target: str, why: str | None) -> None:
    (tmp_path / "a-folder" / "inside").mkdir(parents=True)
    path = tmp_path / target
    with pytest.raises(OutputFileError) as refused, replacing(path) as fh:
        fh.write("rows")
    message = str(refused.value)
    assert message.startswith(f"cannot write {path}: ") and "\n" not in message and "Errno" not in message
    if why:
        assert message == f"cannot write {path}: {why}"
    assert not path.with_name(path.name + ".partial").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder"]


def test_a_link_named_like_a_partial_file_is_neither_followed_nor_touched(tmp_path: Path) -> None:
    """`<name>.partial` was once the fixed temporary name: a link planted there must not redirect the export."""
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep")
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "plan.csv.partial").symlink_to(victim)
    (exports / "rows.csv.partial").symlink_to(outside / "created.txt")  # a link to nothing yet
    for name in ("plan.csv", "rows.csv"):
        with replacing(exports / name) as fh:
            fh.write("rows")
        assert (exports / name).read_text() == "rows" and not (exports / name).is_symlink()
    assert victim.read_text() == "keep" and sorted(p.name for p in outside.iterdir()) == ["victim.txt"]
    assert (exports / "plan.csv.partial").readlink() == victim
    assert sorted(p.name for p in exports.iterdir()) == ["plan.csv", "plan.csv.partial", "rows.csv",
                                                         "rows.csv.partial"]


def test_two_writers_of_one_path_never_share_a_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    with replacing(target) as first:
        first.write("first ")
        with replacing(target) as second:
            second.write("second, longer ")
        first.write("whole")
    assert target.read_text() == "first whole"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]


def test_an_export_is_as_readable_as_any_new_file(tmp_path: Path) -> None:
    with replacing(tmp_path / "plan.csv") as fh:
        fh.write("rows")
    (tmp_path / "plain.csv").write_text("rows")
    assert (tmp_path / "plan.csv").stat().st_mode == (tmp_path / "plain.csv").stat().st_mode


def test_the_database_connection_failing_is_not_the_file_failing(tmp_path: Path) -> None:
    with pytest.raises(ConnectionResetError), replacing(tmp_path / "rows.csv"):
        raise ConnectionResetError("connection reset by peer")
    assert list(tmp_path.iterdir()) == []


async def test_the_quarantine_export_names_the_file_it_cannot_write(app_pool, tmp_path: Path) -> None:
    engagement = await make_engagement(app_pool)
    for path in (Path("/proc/rows.csv"), tmp_path / "gone" / "rows.csv"):
        with pytest.raises(OutputFileError, match=f"^cannot write {path}: "):
            await export_quarantine(app_pool, engagement.ref, [], path)
        assert not path.with_name("rows.csv.partial").exists()
    assert list(tmp_path.iterdir()) == []
    assert await export_quarantine(app_pool, engagement.ref, [], tmp_path / "rows.csv") == 0
    assert (tmp_path / "rows.csv").read_bytes() == b"\xef\xbb\xbffile,row,reasons\r\n"
