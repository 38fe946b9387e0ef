"""Per-disk columns summed into disk totals, with bad cells reported by column."""

from domain.discovery.disk_totals import TOTAL_HEADERS, disk_columns, disk_totals

HEADERS = ["Server name", "Number of disks", "Storage in use (In GB)",
           "Disk 1 size (In GB)", "Disk 1 read throughput (MB per second)", "Disk 1 write throughput (MB per second)",
           "Disk 1 read ops (operations per second)", "Disk 1 write ops (operations per second)",
           "Disk 2 size (In GB)", "Disk 2 read throughput (MB per second)", "Disk 2 write throughput (MB per second)",
           "Disk 2 read ops (operations per second)", "Disk 2 write ops (operations per second)"]


def _row(*cells: str) -> dict[str, str]:
    return dict(zip(HEADERS, ["srv", "2", "10", *cells]))


def test_only_per_disk_columns_are_grouped_by_total() -> None:
    columns = disk_columns(HEADERS)
    assert columns["size"] == ["Disk 1 size (In GB)", "Disk 2 size (In GB)"]
    assert len(columns["throughput"]) == 4 and len(columns["ops"]) == 4
    assert disk_columns(["Number of disks", "Storage in use (In GB)", "Disk size"]) == {}


def test_sizes_reads_and_writes_are_summed_over_the_disks() -> None:
    totals, problems = disk_totals(_row("100", "1.5", "0.25", "10", "5", "250.5", "2", "1", "7", "3"),
                                   disk_columns(HEADERS))
    assert problems == []
    assert totals == {TOTAL_HEADERS["size"]: "350.5", TOTAL_HEADERS["throughput"]: "4.75",
                      TOTAL_HEADERS["ops"]: "25"}


def test_missing_disks_add_nothing_and_no_disk_at_all_leaves_the_totals_empty() -> None:
    columns = disk_columns(HEADERS)
    assert disk_totals(_row("64", "", "", "", "", "", "", "", "", ""), columns)[0][TOTAL_HEADERS["size"]] == "64"
    assert set(disk_totals(_row(*[""] * 10), columns)[0].values()) == {""}


def test_disk_cells_are_read_as_cleansing_reads_numbers() -> None:
    totals, problems = disk_totals(_row("1,024", "2,5", "N/A", "-", "1_0", "1 TB", "0.5", "", "", "7"),
                                   disk_columns(HEADERS))
    assert problems == ["Disk 1 write ops (operations per second): '1_0' is not a number"]
    assert totals[TOTAL_HEADERS["size"]] == "2048"  # 1,024 GB + 1 TB
    assert totals[TOTAL_HEADERS["throughput"]] == "3"  # 2,5 + 0.5; placeholders are no value


def test_bad_disk_cells_are_problems_named_by_their_column() -> None:
    _, problems = disk_totals(_row("abc", "NaN", "-1", "inf", "1", "2", "3", "4", "5", "6"), disk_columns(HEADERS))
    assert problems == [
        "Disk 1 size (In GB): 'abc' is not a number",
        "Disk 1 read throughput (MB per second): 'NaN' is not a finite number",
        "Disk 1 write throughput (MB per second): '-1' is negative",
        "Disk 1 read ops (operations per second): 'inf' is not a finite number",
    ]
