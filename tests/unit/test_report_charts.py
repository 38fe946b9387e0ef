"""The report's pictures read by people: the Gantt chart's date axis bounds and ticks for a 3-week and a 3-year
plan, and the dependency graph's group labels (named, none overlapping another, inside the picture) for a small
plan and a large one. Read from the figure objects, not from pixels."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from reports import charts
from reports.model import GroupEdge, GroupNode, WaveRow, pick_graph


def _waves(count: int, days: int, start: date = date(2027, 1, 4)) -> list[WaveRow]:
    return [WaveRow(n, f"Wave {n}", "production", "scheduled", start + timedelta(days=(n - 1) * days),
                    start + timedelta(days=n * days - 1), 1 if n == 1 else 10, 1, 1.0, 1.0, 1.0, 0)
            for n in range(1, count + 1)]


@pytest.mark.parametrize(("count", "days", "label_has"), [(3, 7, " "), (39, 28, " 20")], ids=["3 weeks", "3 years"])
def test_the_gantt_axis_runs_over_the_plan_with_readable_ticks(count: int, days: int, label_has: str) -> None:
    waves = _waves(count, days)
    fig = charts.wave_timeline(waves)
    [ax] = fig.axes
    first, last = waves[0].start, waves[-1].end
    assert ax.get_xlim() == (date2num(first), date2num(last + timedelta(days=1)))  # ends with the last day
    ticks = list(ax.get_xticks())
    assert 3 <= len(ticks) <= 10 and all(date2num(first) <= t <= date2num(last) for t in ticks)
    labels = ax.xaxis.get_major_formatter().format_ticks(ticks)
    assert len(set(labels)) == len(labels) and all(label_has in label for label in labels), labels  # '04 Jan', 'Jul 2027'
    assert ax.xaxis.get_offset_text().get_text() == ""  # no detached year or month in a corner
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))
    assert ax.get_title() == (f"Wave timeline: {count} waves, 4 Jan 2027 to {last.day} {last:%b %Y}")
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Wave 1: 1 asset", "Wave 2: 10 assets"]


def _labels(fig: Figure) -> list[Annotation]:
    return [child for child in fig.axes[0].get_children() if isinstance(child, Annotation)]


def _assert_labels_apart(fig: Figure) -> None:
    """No two group labels' boxes overlap, and every label lies inside the picture."""
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    boxes = [label.get_bbox_patch().get_window_extent(renderer) for label in _labels(fig)]
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    picture = fig.bbox
    assert all(picture.x0 <= box.x0 and box.x1 <= picture.x1 and picture.y0 <= box.y0 and box.y1 <= picture.y1
               for box in boxes)


def test_a_small_plan_names_every_group() -> None:
    nodes = [GroupNode("MG-0001", 6, 1, ("web-01",), "Customer Portal", ("production",)),
             GroupNode("MG-0002", 3, 1, ("dev-01",), "Customer Portal", ("development",)),
             GroupNode("MG-0003", 12, 2, ("db-01",), "Contract Management and 2 more", ("production",)),
             GroupNode("SHARED-0004", 1, 2, ("dns-01",), "dns-01", ()),
             GroupNode("MG-0005", 4, 3, ("rpt-01",), "Reporting", ("production",))]
    fig = charts.dependency_graph(pick_graph(nodes, [GroupEdge("MG-0001", "MG-0003", 5, True)], 60))
    assert sorted(label.get_text() for label in _labels(fig)) == [
        "MG-0001\nCustomer Portal", "MG-0002\nCustomer Portal", "MG-0003\nContract Management and 2 more",
        "MG-0005\nReporting", "SHARED-0004\ndns-01"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Wave 1", "Wave 2", "Wave 3"]
    _assert_labels_apart(fig)


@pytest.mark.parametrize("waves", [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2], list(range(1, 25))], ids=["8 waves", "2 waves",
                                                                                                "24 waves"])
def test_a_large_plan_labels_what_fits_and_nothing_overlaps(waves: list[int]) -> None:
    """60 groups (pick_graph's default), a crowded last wave, long application names."""
    nodes = [GroupNode(f"MG-{i:04d}", 60 - i, waves[min(i, 45) % len(waves)] if i < 45 else waves[-1], (f"app-{i}",),
                       f"A long application name number {i} and 3 more", ("production",)) for i in range(60)]
    edges = [GroupEdge(a.id, b.id, 3, True) for a, b in zip(nodes, nodes[1:], strict=False)]
    graph = pick_graph(nodes, edges, 60)
    fig = charts.dependency_graph(graph)
    labels = _labels(fig)
    assert all(label.get_text().startswith("MG-") for label in labels)
    if len(waves) == 8:  # room for every group, its name cut to its column
        assert len(labels) == 60 and any(label.get_text().endswith("…") for label in labels)
    if len(waves) == 2:  # 37 groups in one column: each named on one line
        assert len(labels) == 60 and sum("\n" not in label.get_text() for label in labels) >= 37
    _assert_labels_apart(fig)
