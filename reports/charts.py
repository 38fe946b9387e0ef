"""The report's four pictures, drawn with matplotlib's object API (Agg, no pyplot global state).

Each function returns a `Figure`; an empty input gives a figure that says so, so every report has
the same picture files. Texts are drawn literally (`text.parse_math` off in `reports.render`), so a
client's `$` never turns into mathematics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from domain.vocabulary import SIX_R_STRATEGIES
from reports.graph_layout import layered_positions
from reports.model import Costs, DependencyGraph, StrategyShare, WaveRow

STRATEGY_COLOURS = dict(zip((*SIX_R_STRATEGIES, "undecided"), colormaps["tab10"].colors, strict=False))
KIND_COLOURS = {"pilot": "#2ca02c", "non_production": "#1f77b4", "production": "#d62728", None: "#7f7f7f"}
KIND_LABELS = {"pilot": "pilot", "non_production": "non-production", "production": "production", None: "kind not recorded"}
CURRENT, PROJECTED = "#8c8c8c", "#1f77b4"
LABELLED_NODES = 60  # graphs with more groups than this, or crowded columns, show no group names (the table does)


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
    """A Gantt chart of the dated waves, coloured by kind, each labelled with its assets."""
    dated = [w for w in waves if w.start is not None and w.end is not None]
    fig = Figure(figsize=(10, min(1.6 + 0.32 * max(len(dated), 2), 30)), layout="constrained")
    if not dated:
        return _empty(fig, "No wave has dates yet: the plan is not scheduled")
    ax = fig.subplots()
    starts = [date2num(w.start) for w in dated]
    lengths = [date2num(w.end + timedelta(days=1)) - s for w, s in zip(dated, starts, strict=True)]
    ys = list(range(len(dated)))
    ax.barh(ys, lengths, left=starts, color=[KIND_COLOURS.get(w.kind, "#7f7f7f") for w in dated], height=0.7)
    if len(dated) <= 60:
        for y, w, s, length in zip(ys, dated, starts, lengths, strict=True):
            ax.text(s + length, y, f" {w.assets}", va="center", fontsize=7)
    step = max(1, len(dated) // 40)
    ax.set_yticks(ys[::step], [f"Wave {w.number}" for w in dated[::step]], fontsize=8)
    ax.invert_yaxis()
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.grid(axis="x", alpha=0.3)
    kinds = list(dict.fromkeys(w.kind for w in dated))
    ax.legend(handles=[Patch(color=KIND_COLOURS.get(k, "#7f7f7f"), label=KIND_LABELS.get(k, str(k))) for k in kinds],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.margins(x=0.04)
    ax.set_title("Wave timeline (bar labels: assets)")
    return fig


def dependency_graph(graph: DependencyGraph) -> Figure:
    """Move groups as circles sized by assets and coloured by wave, placed in wave columns; lines join
    groups with dependencies between them; shared services are black-edged squares."""
    fig = Figure(figsize=(11, 7), layout="constrained")
    if not graph.nodes:
        return _empty(fig, "No move groups yet: planning has not run")
    ax = fig.subplots()
    positions, columns = layered_positions([n.wave for n in graph.nodes])
    at = {n.id: p for n, p in zip(graph.nodes, positions, strict=True)}
    if graph.edges:
        ax.add_collection(LineCollection(
            [(at[e.source], at[e.target]) for e in graph.edges],
            linewidths=[0.6 + min(e.dependencies, 20) * 0.15 for e in graph.edges],
            linestyles=["solid" if e.hard else "dashed" for e in graph.edges],
            colors="#555555", alpha=0.45, zorder=1,
        ))
    biggest = max(n.assets for n in graph.nodes)
    column_pt, row_pt = 756 / len(columns), 420 / max(Counter(n.wave for n in graph.nodes).values())
    widest = min(32.0, 0.55 * column_pt, 1.6 * row_pt)  # marker diameter (points) of the biggest group
    for shared in (False, True):
        nodes = [n for n in graph.nodes if n.shared_service is shared]
        if nodes:
            ax.scatter([at[n.id][0] for n in nodes], [at[n.id][1] for n in nodes],
                       s=[(widest * (0.3 + 0.7 * (n.assets / biggest) ** 0.5)) ** 2 for n in nodes],
                       c=[wave_colour(n.wave) for n in nodes], marker="s" if shared else "o",
                       edgecolors="black" if shared else "white", linewidths=1.5 if shared else 0.5, zorder=2)
    if len(graph.nodes) <= LABELLED_NODES and column_pt >= 60:
        for n in graph.nodes:
            ax.annotate(n.id, at[n.id], xytext=(0, -(widest / 2 + 6)), textcoords="offset points", ha="center",
                        fontsize=6)
    ax.set_xticks(range(len(columns)), [wave_label(c) for c in columns], fontsize=8,
                  rotation=90 if len(columns) > 20 else 0)
    ax.set_yticks([])
    ax.set_xlim(-0.7, len(columns) - 0.3)
    ax.set_ylim(-0.08, 1.08)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[
        Line2D([], [], marker="o", ls="", color="#999999", label="move group (size: assets)"),
        Line2D([], [], marker="s", ls="", color="#999999", mec="black", label="shared service"),
        Line2D([], [], color="#555555", label="hard dependency"),
        Line2D([], [], color="#555555", ls="--", label="soft dependency"),
    ], loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=4, fontsize=8, frameon=False)
    shown = f"{len(graph.nodes)} of {graph.total_groups} move groups"
    ax.set_title(f"Dependencies between move groups ({shown}, by wave)")
    return fig


def wave_label(wave: int | None) -> str:
    return "no wave" if wave is None else f"W{wave}"


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
