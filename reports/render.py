"""Writes an `EngagementReport` as files: the pictures as PNG and SVG under `images/`, and one
self-contained `index.html` (inline CSS, no network resources) showing the PNGs and the tables.

File names are fixed, so a re-run overwrites the same files. Every client string reaches the page
through Jinja2 with autoescaping on, and the pictures through matplotlib with mathtext off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.figure import Figure

from domain.agent_advice import NOTHING_ADVISED
from domain.assessment.assumptions import PRICING_TERMS
from domain.assessment.business_case import difference_text
from domain.settings_text import shown
from domain.wording import counted, plural
from reports import charts
from reports.model import EngagementReport

TEMPLATES = Path(__file__).with_name("templates")
IMAGES = "images"
PNG_DPI = 110
# Literal texts; SVG text kept as text, ids salted with a constant so the same report gives the same SVG.
_STYLE = {"text.parse_math": False, "svg.fonttype": "none", "svg.hashsalt": "engagement-report"}


@dataclass(frozen=True)
class Picture:
    stem: str
    title: str
    draw: Callable[[EngagementReport], Figure]
    alt: Callable[[EngagementReport], str]


def _strategy_alt(r: EngagementReport) -> str:
    shares = ", ".join(f"{s.strategy} {counted(s.applications, 'application')}, {counted(s.assets, 'asset')}"
                       for s in r.strategies)
    return f"Bar chart of the strategy mix: {shares or 'no strategy recommended yet'}."


def _cost_alt(r: EngagementReport) -> str:
    total = r.costs.total()
    return (f"Bar chart of current against projected monthly cost for each of {len(r.costs.by_wave)} wave groups; "
            f"in total {total.current_monthly:,.0f} now and {total.projected_monthly:,.0f} projected "
            f"({charts.currency_text(r.costs.currencies)}).")


def _timeline_alt(r: EngagementReport) -> str:
    dated = [w for w in r.waves if w.start and w.end]
    if not dated:
        return "Wave timeline: no wave has dates yet."
    return (f"Gantt chart of {counted(len(dated), 'wave')} from {min(w.start for w in dated).isoformat()} "
            f"to {max(w.end for w in dated).isoformat()}, coloured by wave kind.")


def _graph_alt(r: EngagementReport) -> str:
    g = r.graph
    return (f"Dependency graph of {len(g.nodes)} of {counted(g.total_groups, 'move group')} placed in wave columns, "
            f"{len(g.edges)} of {counted(g.total_edges, 'link')} between groups drawn; "
            f"{counted(sum(n.shared_service for n in g.nodes), 'shared service')} shown as squares.")


PICTURES: tuple[Picture, ...] = (
    Picture("strategy_mix", "Strategy mix", lambda r: charts.strategy_mix(r.strategies), _strategy_alt),
    Picture("cost_per_wave", "Cost per wave", lambda r: charts.cost_per_wave(r.costs), _cost_alt),
    Picture("wave_timeline", "Wave timeline", lambda r: charts.wave_timeline(r.waves), _timeline_alt),
    Picture("dependency_graph", "Dependency graph", lambda r: charts.dependency_graph(r.graph), _graph_alt),
)


def render_report(report: EngagementReport, out_dir: Path) -> Path:
    """Write the pictures and index.html into `out_dir` (created if missing); return index.html's path."""
    images = out_dir / IMAGES
    images.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_STYLE):
        for picture in PICTURES:
            figure = picture.draw(report)
            figure.savefig(images / f"{picture.stem}.png", dpi=PNG_DPI, metadata={"Software": None})
            figure.savefig(images / f"{picture.stem}.svg", metadata={"Date": None, "Creator": None})
    index = out_dir / "index.html"
    index.write_text(render_html(report), encoding="utf-8")
    return index


def render_html(report: EngagementReport) -> str:
    """The page, with `<img>` elements pointing at `images/<stem>.png`."""
    pictures = {p.stem: {"src": f"{IMAGES}/{p.stem}.png", "svg": f"{IMAGES}/{p.stem}.svg", "title": p.title,
                         "alt": p.alt(report)} for p in PICTURES}
    return _environment().get_template("engagement_report.html.j2").render(
        r=report, pictures=pictures, total_cost=report.costs.total(),
        currency=charts.currency_text(report.costs.currencies),
        effort_days=_known_sum(w.effort_days for w in report.waves),
        labour_cost=_known_sum(w.labour_cost for w in report.waves), nothing_advised=NOTHING_ADVISED,
    )


def _known_sum(values: Iterable[float | None]) -> float | None:
    """The sum of the known values; None when none is known."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(money=_money, days=_days, label=_label, wave=charts.wave_label, kind=_kind,
                       moment=_moment, counted=counted, plural=lambda noun, count: plural(count, noun),
                       difference=difference_text, term=lambda term: PRICING_TERMS[term], shown=shown)
    return env


def _money(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def _moment(value: datetime | None) -> str:
    return "–" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _label(value: str | None) -> str:
    return "not recorded" if value is None else value.replace("_", " ")


def _kind(value: str | None) -> str:
    return charts.KIND_LABELS.get(value, str(value))
