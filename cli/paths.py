"""Every file path a command takes, checked before any server is started or contacted.

Each problem is a `PathError`: one line naming the path, exit code 1 (like every error of a request).
An empty path is a usage error (exit code 2), refused while the command line is parsed (`given_path`, the
parser of every path option and argument), since it would otherwise mean the current folder.

- Input files must exist, be regular files that can be read, and not be symbolic links (a link can
  point at a credentials file that would then be uploaded) unless `launch --follow-links` says the file
  a link points at is meant; the stored name is the link's base name. Their content must be of a kind the
  reader they go to reads: the files of an import are opened and given their roles by
  `domain.discovery.import_plan.import_roles`, as discovery will (format by content, encoding, zip guard,
  header row; a supplement needs its inventory in the same import); edited plans by
  `db.plan_review.read_plan_rows`, as `plan import` reads them (a .csv or .xlsx file within the plan's
  limits, refused in the words of a plan); runbook templates by `db.runbook_templates.checked_import`, as
  `runbook import` reads them (UTF-8 YAML or JSON within a template's bounds, every problem listed). No rule about formats is kept here.
- Output files need an existing, writable parent folder, must not name a folder, and need an
  extension the command writes. Output folders (the report) must be a folder or a name a new one can
  take in an existing, writable parent.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer

from db.plan_review import read_plan_rows
from db.runbook_templates import checked_import
from domain.discovery.import_plan import import_roles
from domain.execution.templates import MAX_TEMPLATE_BYTES, RunbookTemplate


class PathError(ValueError):
    """A path a command was given cannot be used; the message names it and says why."""


def given_path(text: str) -> Path:
    """The parser of a path on the command line: any text but the empty one (which `Path` reads as ".")."""
    if not text:
        raise typer.BadParameter("an empty path; give the name of a file or folder")
    return Path(text)


def inventory_files(paths: Sequence[Path], *, follow_links: bool = False) -> list[tuple[str, str]]:
    """The files of one import: each a readable regular file the importer's readers can open, together an import
    discovery can plan; returns each file's (name, role). A symbolic link is refused unless `follow_links`
    (the person says they mean the file it points at)."""
    for path in paths:
        _input_file(path, follow_links=follow_links)
    return import_roles(paths)


def plan_file(path: Path) -> None:
    """An edited plan for `plan import`: a readable regular file that reads as a plan."""
    _input_file(path)
    read_plan_rows(path)


def runbook_template(path: Path, strategy: str) -> RunbookTemplate:
    """An edited runbook template for `runbook import`: a readable regular file of UTF-8 text no larger than a
    template may be, that reads as a template of `strategy` (refused with every problem it has)."""
    _input_file(path)
    with path.open("rb") as handle:
        data = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise PathError(f"{path}: more than {MAX_TEMPLATE_BYTES:,} bytes, more than a template may hold")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PathError(f"{path}: not UTF-8 text (byte {exc.start + 1:,}); save the template as UTF-8") from None
    return checked_import(text, path.name, strategy)


def output_file(path: Path, formats: Mapping[str, str]) -> str:
    """A file to write: its parent folder exists and is writable, it is no folder, and its extension is one of
    `formats` (extension -> format); returns the format."""
    if path.is_dir():
        raise PathError(f"{path}: a folder; give the name of a file to write")
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise PathError(f"{path.name}: give a {_listed(list(formats))} file name")
    _writable_folder(path.parent)
    return fmt


def output_folder(path: Path) -> None:
    """A folder to write into: an existing writable folder, or a new name in an existing writable folder."""
    if path.is_dir():
        _writable_folder(path)
        return
    if path.exists() or path.is_symlink():
        raise PathError(f"{path}: not a folder; give a folder to write into")
    if path.suffix.lower() in (".html", ".htm"):
        raise PathError(f"{path}: give a folder name; the report is written as index.html inside it")
    _writable_folder(path.parent)


def _input_file(path: Path, *, follow_links: bool = False) -> None:
    try:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) and follow_links:
            mode = path.stat().st_mode
    except FileNotFoundError:
        raise PathError(f"{path}: no such file") from None
    except NotADirectoryError:
        raise PathError(f"{path}: no such file (a part of the path is not a folder)") from None
    except PermissionError:
        raise PathError(f"{path}: cannot be read (permission denied)") from None
    if stat.S_ISLNK(mode):
        raise PathError(f"{path}: a symbolic link, refused (it could point at a file not meant to leave this "
                        "machine); give the file itself, or pass --follow-links if you mean the file it points at")
    if stat.S_ISDIR(mode):
        raise PathError(f"{path}: a folder; give a file")
    if not stat.S_ISREG(mode):
        raise PathError(f"{path}: not a regular file")
    try:
        with path.open("rb"):
            pass
    except PermissionError:
        raise PathError(f"{path}: cannot be read (permission denied)") from None


def _writable_folder(folder: Path) -> None:
    if not folder.exists():
        raise PathError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise PathError(f"{folder}: not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PathError(f"{folder}: cannot write into this folder (permission denied)")


def _listed(extensions: list[str]) -> str:
    return extensions[0] if len(extensions) == 1 else f"{', '.join(extensions[:-1])} or {extensions[-1]}"
