"""What the CLI prints to a file or a pipe is whole: no line of it is wrapped or cut at the terminal's width."""

from __future__ import annotations

from rich.table import Table

from cli.common import make_console, print_error

LONG_URL = "http://127.0.0.1:8233/namespaces/default/workflows/engagement-" + "0123456789abcdef" * 8


def test_a_long_line_to_a_pipe_stays_one_line(capsys) -> None:
    make_console(stderr=False).print(f"launched Data-centre exit: {LONG_URL}")
    assert capsys.readouterr().out == f"launched Data-centre exit: {LONG_URL}\n"


def test_table_cells_to_a_pipe_are_whole(capsys) -> None:
    table = Table("file", "column", "reason")
    table.add_row("vmInfo.csv", "VM Name", "a reason that goes on " * 12)
    make_console(stderr=False).print(table)
    out = capsys.readouterr().out
    assert ("a reason that goes on " * 12).strip() in out
    assert len(out.splitlines()) == 5  # top rule, header, rule, one row, bottom rule


def test_errors_to_a_pipe_are_one_line(capsys) -> None:
    make_console(stderr=True).print(f"error: engagement 'x' is not running ({LONG_URL})")
    assert capsys.readouterr().err.splitlines() == [f"error: engagement 'x' is not running ({LONG_URL})"]


def test_names_from_files_are_printed_as_written_and_cannot_steer_the_terminal(capsys) -> None:
    hostile = "evil\x1b[2J\x1b]0;pwned\x07srv [/bold] \u202etxt.exe"
    console = make_console(stderr=False)
    console.print(f"asset {hostile}")
    table = Table("name")
    table.add_row(hostile)
    console.print(table)
    print_error(f"asset {hostile} is not known")
    captured = capsys.readouterr()
    shown = r"evil\x1b[2J\x1b]0;pwned\x07srv [/bold] <U+202E>txt.exe"
    assert captured.out.splitlines()[0] == f"asset {shown}"
    assert shown in captured.out.splitlines()[4]  # the row after the rules and the header
    assert captured.err == f"error: asset {shown} is not known\n"
    assert "\x1b" not in captured.out + captured.err and "\u202e" not in captured.out + captured.err
