"""The report's four pictures, drawn with matplotlib's object API (Agg, no pyplot global state).

Each function returns a `Figure`; an empty input gives a figure that says so, so every report has
the same picture files. Texts are drawn literally (`text.parse_math` off in `reports.render`), so a
client's `$` never turns into mathematics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator

from domain.vocabulary import SIX_R_STRATEGIES
from domain.wording import counted
from reports.graph_layout import STAGGER, layered_positions
from reports.model import Costs, DependencyGraph, StrategyShare, WaveRow

STRATEGY_COLOURS = dict(zip((*SIX_R_STRATEGIES, "undecided"), colormaps["tab10"].colors, strict=False))
KIND_COLOURS = {"pilot": "#2ca02c", "non_production": "#1f77b4", "production": "#d62728", None: "#7f7f7f"}
KIND_LABELS = {"pilot": "pilot", "non_production": "non-production", "production": "production", None: "kind not recorded"}
CURRENT, PROJECTED = "#8c8c8c", "#1f77b4"
LABEL_SIZE = 6.5  # points, of the group names in the dependency graph
DATE_FORMATS = ["%Y", "%b %Y", "%d %b", "%d %b %H:%M", "%H:%M", "%H:%M:%S"]  # years, months, days, hours ...


def wave_colour(wave: int | None) -> str | tuple[float, ...]:
    """The graph's colour of a wave (tab10, cycling); grey for groups in no wave."""
    return "#bdbdbd" if wave is None else colormaps["tab10"].colors[(wave - 1) % 10]


def strategy_mix(shares: Sequence[StrategyShare]) -> Figure:
    """Applications and assets per strategy, side by side."""
    fig = Figure(figsize=(9, 1.2 + 0.45 * max(len(shares), 2)), layout="constrained")
    if not shares:
        return _empty(fig, "No strategy recommended yet: the assessment has not run")
    for ax, what in zip(fig.subplots(1, 2, sharey=True), ("applications", "assets"), strict=True):
        values = [getattr(s, what) for s in shares]
        bars = ax.barh(range(len(shares)), values, color=[STRATEGY_COLOURS.get(s.strategy, "#7f7f7f") for s in shares])
        ax.bar_label(bars, padding=3, fontsize=8)
        ax.set_yticks(range(len(shares)), [s.strategy for s in shares])
        ax.set_title(what.capitalize())
        ax.set_xlim(0, max(*values, 1) * 1.15)
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.invert_yaxis()  # the axes share y: once inverts both
    fig.suptitle("Strategy mix")
    return fig


def cost_per_wave(costs: Costs) -> Figure:
    """Current against projected monthly run cost of each wave's assets (and of those in no wave)."""
    rows = costs.by_wave
    fig = Figure(figsize=(min(max(6.0, 0.45 * len(rows) + 2), 24), 4.2), layout="constrained")
    if not any(r.current_monthly or r.projected_monthly for r in rows):
        return _empty(fig, "No cost figures yet: the assessment has not projected costs")
    ax = fig.subplots()
    xs = range(len(rows))
    ax.bar([x - 0.2 for x in xs], [r.current_monthly for r in rows], 0.4, color=CURRENT, label="current")
    ax.bar([x + 0.2 for x in xs], [r.projected_monthly for r in rows], 0.4, color=PROJECTED, label="projected")
    ax.set_xticks(list(xs), [wave_label(r.wave) for r in rows], rotation=90 if len(rows) > 20 else 0, fontsize=8)
    ax.set_ylabel(f"per month ({currency_text(costs.currencies)})")
    ax.set_title("Monthly run cost per wave")
    ax.legend(loc="upper right")
    return fig


def wave_timeline(waves: Sequence[WaveRow]) -> Figure:
    """A Gantt chart of the dated waves, coloured by kind, each named with its assets. The date axis runs from the
    first wave's first day to the end of the last wave's last day, its ticks chosen for the plan's length."""
    dated = [w for w in waves if w.start is not None and w.end is not None]
    fig = Figure(figsize=(10, min(1.6 + 0.32 * max(len(dated), 2), 30)), layout="constrained")
    if not dated:
        return _empty(fig, "No wave has dates yet: the plan is not scheduled")
    ax = fig.subplots()
    starts = [date2num(w.start) for w in dated]
    lengths = [date2num(w.end + timedelta(days=1)) - s for w, s in zip(dated, starts, strict=True)]
    ys = list(range(len(dated)))
    ax.barh(ys, lengths, left=starts, color=[KIND_COLOURS.get(w.kind, "#7f7f7f") for w in dated], height=0.7)
    step = max(1, len(dated) // 40)
    ax.set_yticks(ys[::step], [f"{w.name or f'Wave {w.number}'}: {counted(w.assets, 'asset')}"
                               for w in dated[::step]], fontsize=8)
    ax.set_ylim(len(dated) - 0.5, -0.5)  # the first wave on top
    first, last = min(w.start for w in dated), max(w.end for w in dated)
    ax.set_xlim(date2num(first), date2num(last + timedelta(days=1)))  # to the end of the last day
    # ticks on the plan's days only (none on the day after it), each label readable alone: days with their
    # month, months with their year
    ticks = AutoDateLocator(minticks=4, maxticks=9).tick_values(datetime.combine(first, time()),
                                                                datetime.combine(last, time()))
    locator = FixedLocator([t for t in ticks if date2num(first) <= t <= date2num(last)])
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(
        locator, formats=DATE_FORMATS, zero_formats=DATE_FORMATS, show_offset=False))
    ax.grid(axis="x", alpha=0.3)
    kinds = list(dict.fromkeys(w.kind for w in dated))
    ax.legend(handles=[Patch(color=KIND_COLOURS.get(k, "#7f7f7f"), label=KIND_LABELS.get(k, str(k))) for k in kinds],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title(f"Wave timeline: {counted(len(dated), 'wave')}, {first.day} {first:%b %Y} to {last.day} {last:%b %Y}")
    return fig


def dependency_graph(graph: DependencyGraph) -> Figure:
    """Move groups as circles sized by assets and coloured by wave, placed in wave columns and named beside them
    where their column has room; lines join groups with dependencies between them; shared services are
    black-edged squares."""
    if not graph.nodes:
        return _empty(Figure(figsize=(12, 4.5), layout="constrained"), "No move groups yet: planning has not run")
    positions, columns = layered_positions([n.wave for n in graph.nodes])
    crowd = Counter(n.wave for n in graph.nodes)
    fig = Figure(figsize=(12, min(max(4.5, 2.4 + 0.3 * max(crowd.values())), 9)), layout="constrained")
    FigureCanvasAgg(fig)  # measures the labels
    ax = fig.subplots()
    ax.set_xticks(range(len(columns)), [wave_label(c) for c in columns], fontsize=8,
                  rotation=90 if len(columns) > 12 else 0)
    ax.set_yticks([])
    ax.set_xlim(-0.6, len(columns) - STAGGER)  # the last column has the room to its right that the others have
    ax.set_ylim(-0.08, 1.08)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[
        Line2D([], [], marker="o", ls="", color="#999999", label="move group (size: assets)"),
        Line2D([], [], marker="s", ls="", color="#999999", mec="black", label="shared service"),
        Line2D([], [], color="#555555", label="hard dependency"),
        Line2D([], [], color="#555555", ls="--", label="soft dependency"),
    ], loc="upper center", bbox_to_anchor=(0.5, -0.08 if len(columns) <= 12 else -0.14), ncols=4, fontsize=8,
        frameon=False)
    ax.set_title(f"Dependencies between move groups ({len(graph.nodes)} of {counted(graph.total_groups, 'move group')}, "
                 "by wave)")
    fig.draw_without_rendering()  # lays the axes out; nothing drawn below changes that layout
    renderer = fig.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    column_pt = box.width * 72 / fig.dpi / (len(columns) + 0.6 - STAGGER)
    height_pt = box.height * 72 / fig.dpi / 1.16
    widest = min(24.0, 0.3 * column_pt, 1.2 * height_pt / max(crowd.values()))  # marker diameter of the biggest
    biggest = max(n.assets for n in graph.nodes)
    diameter = {n.id: widest * (0.3 + 0.7 * (n.assets / biggest) ** 0.5) for n in graph.nodes}
    at = {n.id: p for n, p in zip(graph.nodes, positions, strict=True)}
    if graph.edges:
        ax.add_collection(LineCollection(
            [(at[e.source], at[e.target]) for e in graph.edges],
            linewidths=[0.6 + min(e.dependencies, 20) * 0.15 for e in graph.edges],
            linestyles=["solid" if e.hard else "dashed" for e in graph.edges],
            colors="#555555", alpha=0.45, zorder=1, in_layout=False,
        ))
    for shared in (False, True):
        nodes = [n for n in graph.nodes if n.shared_service is shared]
        if nodes:
            ax.scatter([at[n.id][0] for n in nodes], [at[n.id][1] for n in nodes],
                       s=[diameter[n.id] ** 2 for n in nodes], c=[wave_colour(n.wave) for n in nodes],
                       marker="s" if shared else "o", edgecolors="black" if shared else "white",
                       linewidths=1.5 if shared else 0.5, zorder=2).set_in_layout(False)
    fit = _LabelFit(renderer, fig.dpi)
    for n in graph.nodes:
        column = columns.index(n.wave)
        room = (column + 1 - STAGGER - at[n.id][0]) * column_pt - widest / 2 - diameter[n.id] / 2 - 8
        text = fit.label(n.id, n.name, room, height_pt / crowd[n.wave])
        if text:
            ax.annotate(text, at[n.id], xytext=(diameter[n.id] / 2 + 2, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=LABEL_SIZE, linespacing=1.1, zorder=3, annotation_clip=False,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
                        ).set_in_layout(False)
    return fig


class _LabelFit:
    """A group's label cut to the room beside it: its id and name on two lines, on one when the column's rows are
    too close for two, none when they are too close for one; a name too wide is cut with '…'."""

    def __init__(self, renderer: RendererAgg, dpi: float) -> None:
        self._renderer, self._scale = renderer, 72 / dpi
        self._font = FontProperties(size=LABEL_SIZE)
        self._line = LABEL_SIZE * 1.1 + 1.5  # a line's height with the label box's padding, in points

    def label(self, group_id: str, name: str, room: float, pitch: float) -> str:
        lines = 2 if pitch >= 2 * self._line + 2 else 1 if pitch >= self._line + 2 else 0
        if not lines or self._width(group_id) > room:
            return ""
        if lines == 1:
            return self._cut(f"{group_id} {name}".rstrip(), room)
        return f"{group_id}\n{self._cut(name, room)}".rstrip()

    def _cut(self, text: str, room: float) -> str:
        if self._width(text) <= room:
            return text
        while text and self._width(text + "…") > room:
            text = text[:-1]
        return text.rstrip() + "…" if text else ""

    def _width(self, text: str) -> float:
        return self._renderer.get_text_width_height_descent(text, self._font, ismath=False)[0] * self._scale


def wave_label(wave: int | None) -> str:
    return "No wave" if wave is None else f"Wave {wave}"


def currency_text(currencies: Sequence[str]) -> str:
    """One currency as is; several are named and flagged, since sums across them are not converted."""
    if not currencies:
        return "no currency recorded"
    if len(currencies) == 1:
        return currencies[0]
    return f"mixed, not converted: {', '.join(currencies)}"


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555", transform=ax.transAxes)
    return fig
