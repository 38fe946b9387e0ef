"""Pure rendering of the engagement report from a small hand-made data model: the picture files (PNG
and SVG, both readable), the page's sections, links and escaping, and the summaries of large lists."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from domain.assessment.assumptions import assumption_rows
from domain.assessment.business_case import BusinessCase, sensitivity
from reports.graph_layout import layered_positions
from reports.model import (
    ApplicationRow,
    Costs,
    Count,
    EngagementReport,
    Execution,
    ExecutionIssue,
    GroupEdge,
    GroupNode,
    Portfolio,
    RollbackRow,
    Shown,
    StrategyShare,
    Undelivered,
    ViolationRow,
    WaveCost,
    WaveExecution,
    WaveRow,
    first,
    pick_graph,
)
from reports.render import PICTURES, render_report

EVIL = "<script>alert('x')</script>"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


EXECUTION = Execution(
    waves=(
        WaveExecution(1, "Wave 1", "rolled_back", date(2027, 1, 4), date(2027, 1, 17), 2, "running",
                      datetime(2027, 1, 4, 8, 30, tzinfo=UTC), None,
                      (Count("completed", 9), Count("failed", 1), Count("skipped", 2))),
        WaveExecution(2, "Wave 2", "scheduled", date(2027, 1, 18), date(2027, 1, 31), None, None, None, None, ()),
    ),
    failures=Shown((
        ExecutionIssue(1, 2, "rehost", "forward", "preflight", "Pre-flight", "asset", EVIL, "billing <b>", "failed",
                       f"tcp_probe {EVIL}:22: connection refused"),
        ExecutionIssue(1, 2, "rehost", "forward", "checks", "Checks", "application", None, "shop", "completed",
                       "warning http_probe: status 500"),
    ), rest=60),
    rollbacks=Shown((RollbackRow(1, 1, "rolled_back", "Ann <owner>", "bad <night>", datetime(2027, 1, 5, 2, 0,
                                                                                            tzinfo=UTC), 4, 4),)),
    undelivered=(Undelivered("step_failed", 3, 0, None), Undelivered("wave_rolled_back", 1, 1, "HTTP 404 <nope>")),
)


def _report(**changes) -> EngagementReport:
    nodes = [
        GroupNode("MG-0001", 3, 1, ("web-01", EVIL, "db-01")),
        GroupNode("MG-0002", 5, 2, ("app-01", "app-02", "app-03")),
        GroupNode("SHARED-0001", 1, 1, ("dns-01",)),
        GroupNode("MG-0003", 2, None, ("lone-01", "lone-02")),
    ]
    edges = [GroupEdge("MG-0002", "MG-0001", 4, True), GroupEdge("MG-0001", "SHARED-0001", 2, False),
             GroupEdge("MG-0002", "SHARED-0001", 1, False)]
    report = EngagementReport(
        client="Acme & Sons",
        engagement="DC exit $100 <2027>",
        start_date=date(2027, 1, 4),
        generated_on=date(2026, 11, 2),
        portfolio=Portfolio(
            assets=11,
            by_type=Shown((Count("server", 8), Count("database", 2), Count(None, 1))),
            by_environment=Shown((Count("production", 6), Count("development", 5))),
            by_os_family=Shown((Count("linux", 7), Count("windows", 3)), rest=1),
            by_criticality=Shown((Count("high", 4), Count("low", 7))),
            tech_debt=Shown((Count("os_end_of_life", 3),)),
            assets_with_tech_debt=3,
        ),
        strategies=(StrategyShare("rehost", 2, 7), StrategyShare("replatform", 1, 2), StrategyShare("undecided", 0, 2)),
        applications=Shown((ApplicationRow("billing <b>", "rehost", "rule", 0.8, 3, 900.0, 600.0, 300.0),
                            ApplicationRow("reports", "replatform", "user", 1.0, 2, None, 250.0, None)), rest=1),
        costs=Costs(("USD",), (
            WaveCost(1, 4, 1000.0, 700.0, 300.0, 0, 0),
            WaveCost(2, 5, 1500.0, 1600.0, -100.0, 1, 0),
            WaveCost(None, 2, 200.0, 0.0, 0.0, 0, 2),
        )),
        waves=(
            WaveRow(1, "Wave 1", "pilot", "scheduled", date(2027, 1, 4), date(2027, 1, 17), 4, 2, 300.0, 6.0, 5700.0, 0),
            WaveRow(2, "Wave 2", "production", "scheduled", date(2027, 1, 18), date(2027, 1, 31), 5, 1, 900.5, 7.5,
                    7125.0, 2),
        ),
        graph=pick_graph(nodes, edges, limit=10),
        violations_by_rule=(Count("early_wave", 1),),
        violations=Shown((ViolationRow("early_wave", f"MG-0001 holds {EVIL} in wave 1", 3),)),
        execution=EXECUTION,
    )
    return replace(report, **changes)


class _Page(HTMLParser):
    """The ids, images and links of a page, and whether any <script> element was parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "img":
            self.images.append(found)
        if tag == "a":
            self.links.append(found["href"])
        if tag in ("script", "link") or (tag == "style" and found):
            self.scripts += 1


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report")
    index = render_report(_report(), out)
    return index, index.read_text(encoding="utf-8")


def test_every_picture_is_a_png_and_an_svg(written: tuple[Path, str]) -> None:
    index, _ = written
    images = index.parent / "images"
    assert sorted(p.name for p in images.iterdir()) == sorted(
        f"{p.stem}.{ext}" for p in PICTURES for ext in ("png", "svg"))
    for picture in PICTURES:
        png = (images / f"{picture.stem}.png").read_bytes()
        assert png[:8] == PNG_MAGIC
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert width > 300 and height > 150
        svg = ET.parse(images / f"{picture.stem}.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_page_has_every_section_and_shows_the_pngs(written: tuple[Path, str]) -> None:
    index, html = written
    page = _Page()
    page.feed(html)
    assert {"summary", "portfolio", "strategy", "cost", "waves", "dependencies", "violations", "execution"} <= page.ids
    assert [img["src"] for img in page.images] == [f"images/{p.stem}.png" for p in PICTURES]
    assert all(img["alt"] for img in page.images)
    for target in [img["src"] for img in page.images] + [link for link in page.links if not link.startswith("#")]:
        assert (index.parent / target).is_file(), target
    assert "http://" not in html and "https://" not in html  # no network resources
    assert page.scripts == 0


def test_client_strings_are_escaped(written: tuple[Path, str]) -> None:
    _, html = written
    assert EVIL not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "billing &lt;b&gt;" in html and "Acme &amp; Sons" in html
    assert "DC exit $100 &lt;2027&gt;" in html
    assert "Ann &lt;owner&gt;" in html and "bad &lt;night&gt;" in html and "HTTP 404 &lt;nope&gt;" in html


def test_execution_shows_planned_against_actual_failures_rollbacks_and_undelivered_notifications(
        written: tuple[Path, str]) -> None:
    _, html = written
    section = html[html.index('<section id="execution">'):]
    assert "<td>2</td><td>running</td><td>2027-01-04 08:30 UTC</td><td>–</td>" in section.replace(
        '<td class="n">', "<td>")
    assert "9 completed, 1 failed, 2 skipped" in section
    assert "Wave 2</td><td>2027-01-18</td><td>2027-01-31</td>" in section and "not started" in section
    assert "rehost / preflight: Pre-flight" in section and "tcp_probe &lt;script&gt;" in section
    assert "<td>shop</td><td>shop</td><td>completed with findings</td>" in section
    assert "… and 60 more failures not listed." in section
    assert "4 of 4" in section and "2027-01-05 02:00 UTC" in section
    assert "never tried: no webhook is configured" in section


def test_execution_not_started_says_so(tmp_path: Path) -> None:
    waiting = replace(EXECUTION, waves=(EXECUTION.waves[1],), failures=Shown(()), rollbacks=Shown(()), undelivered=())
    html = render_report(_report(execution=waiting), tmp_path).read_text(encoding="utf-8")
    section = html[html.index('<section id="execution">'):]
    assert "Execution has not started." in section and "not started" in section
    assert "Failures" not in section and "Rollbacks" not in section


def test_page_shows_the_numbers(written: tuple[Path, str]) -> None:
    _, html = written
    assert "2,700.00" in html and "2,300.00" in html  # current and projected totals of the three rows
    assert "saves 200 USD a month" in html and "saves 2,400 USD a year" in html  # as a person says it
    assert "13.5" in html and "12,825.00" in html  # effort and labour of both waves
    assert "… and 1 more application not listed." in html
    assert "2027-01-04" in html and "2027-01-31" in html
    assert "Showing 4 of 4 move groups" in html


def test_an_empty_engagement_still_renders_every_picture(tmp_path: Path) -> None:
    empty = _report(
        strategies=(), applications=Shown(()), costs=Costs((), (WaveCost(None, 3, 0.0, 0.0, 0.0, 3, 3),)), waves=(),
        graph=pick_graph([], [], limit=10), violations_by_rule=(), violations=Shown(()),
    )
    html = render_report(empty, tmp_path).read_text(encoding="utf-8")
    assert "No waves planned yet." in html and "None: the plan meets every rule." in html
    assert "no wave has dates yet" in html and "no currency recorded" in html
    images = tmp_path / "images"
    for picture in PICTURES:
        assert (images / f"{picture.stem}.png").read_bytes()[:8] == PNG_MAGIC
    said = {p.stem: "".join(ET.parse(images / f"{p.stem}.svg").getroot().itertext()) for p in PICTURES}
    assert "No strategy recommended yet" in said["strategy_mix"]
    assert "No cost figures yet" in said["cost_per_wave"]
    assert "No wave has dates yet" in said["wave_timeline"]
    assert "No move groups yet" in said["dependency_graph"]


def test_rendering_twice_gives_the_same_svg(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    render_report(_report(), one)
    render_report(_report(), two)
    for picture in PICTURES:
        name = f"images/{picture.stem}.svg"
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert (one / "index.html").read_text() == (two / "index.html").read_text()


def test_graph_keeps_shared_services_then_the_biggest_groups() -> None:
    nodes = [GroupNode(f"MG-{i:04d}", i, i % 3 + 1, ()) for i in range(1, 101)]
    nodes.append(GroupNode("SHARED-0001", 1, 1, ()))
    edges = [GroupEdge("MG-0100", "MG-0099", 1, True), GroupEdge("MG-0001", "MG-0100", 1, True),
             GroupEdge("MG-0099", "SHARED-0001", 5, False)]
    graph = pick_graph(nodes, edges, limit=3)
    assert {n.id for n in graph.nodes} == {"SHARED-0001", "MG-0100", "MG-0099"}
    assert [(e.source, e.target) for e in graph.edges] == [("MG-0099", "SHARED-0001"), ("MG-0100", "MG-0099")]
    assert (graph.total_groups, graph.total_edges) == (101, 3)
    assert [n.wave for n in graph.nodes] == sorted(n.wave for n in graph.nodes)


def test_first_counts_what_it_leaves_out() -> None:
    assert first([1, 2, 3, 4], 3) == Shown((1, 2, 3), rest=1)
    assert first([1], 3) == Shown((1,), rest=0)


def test_layout_puts_each_wave_in_its_column_and_no_wave_last() -> None:
    positions, columns = layered_positions([2, 1, None, 1, 2, 2])
    assert columns == [1, 2, None]
    assert [round(x) for x, _ in positions] == [1, 0, 2, 0, 1, 1]
    ys = [y for (_, y), wave in zip(positions, [2, 1, None, 1, 2, 2]) if wave == 2]
    assert ys == sorted(ys, reverse=True) and len(set(ys)) == 3 and all(0 < y < 1 for y in ys)


def test_the_business_case_says_what_the_cloud_costs_and_on_what_it_rests(tmp_path: Path) -> None:
    rows = tuple(assumption_rows({"pue": 1.4}))
    case = BusinessCase(currency="USD", assets=9, assets_left_out=1, current_monthly=10_000.0,
                        projected_monthly=14_763.0, horizon_years=3, pricing_term="3y", migration_cost=12_825.0,
                        assumptions=rows, sensitivity=sensitivity(-4_763.0, {("current", "hardware"): 1_000.0,
                                                                             ("projected", "compute"): 5_000.0}),
                        by_term=(("payg", -4_763.0), ("1y", -2_000.0), ("3y", 1_200.0)))
    html = render_report(_report(business_case=case), tmp_path).read_text(encoding="utf-8")
    section = html[html.index('<section id="business-case">'):html.index('<section id="waves">')]
    assert "costs 4,763 USD more a month" in section and "saving -" not in html
    # 3 years: 360,000 today against 531,468 + 12,825 one-off: 184,293 more
    assert "costs 184,293 USD more over 3 years" in section
    assert "360,000.00" in section and "544,293.00" in section and "3-year commitment" in section
    assert "9 assets with both a current and a projected cost; 1 asset without one or the other is left out" in section
    # hardware 20 % lower: 200 less saved; cloud compute 20 % lower: 1,000 less spent
    assert "<td>server hardware</td><td>costs 4,963 USD more a month</td><td>costs 4,563 USD more a month</td>" in section
    assert "<td>cloud compute price</td><td>costs 3,763 USD more a month</td><td>costs 5,763 USD more a month</td>" in (
        section)
    assert ("By pricing term: pay-as-you-go: the cloud costs 4,763 USD more a month; 1-year commitment: the cloud "
            "costs 2,000 USD more a month; 3-year commitment: the cloud saves 1,200 USD a month.") in section
    assert "the engagement (default 1.56)" in section and "Uptime Institute Global Data Center Survey 2024" in section
    assert section.count("<tr><td>") == len(rows) + 2 + 5  # assumptions, the horizon rows, the drivers


def test_without_projected_costs_there_is_no_business_case_yet(tmp_path: Path) -> None:
    html = render_report(_report(), tmp_path).read_text(encoding="utf-8")
    assert "No business case yet: the assessment has not projected costs." in html
