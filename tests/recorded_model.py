"""What a model answered, recorded: responders for the loopback OpenAI-compatible server that answer each crew's
request from its data block, as a model would, with the answers recorded for it. Shared by the agent tests and
the agents benchmark (bench/agents.py), so both send the crews the same answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.openai_compatible_server import Answer, data_block, system_prompt

MODEL = "qwen2.5-7b-instruct"
# What a model answered for these headers (recorded answers, by header).
MAPPING_ANSWERS = {
    "Kennung": ("name", 0.8, "holds short server names like app-01"),
    "Betriebssystem": ("operating_system", 0.9, "German for operating system; values are OS names"),
    "Standort": ("location", 0.7, "German for site; values are data-centre names"),
}


# An inventory whose headers no rule places (German and abbreviated), the one the mapping answers were recorded for.
INVENTORY = (
    "Kennung,Betriebssystem,Standort,CPU Cores,RAM (GB)\n"
    "app-01,Windows Server 2019,Frankfurt DC1,4,16\n"
    "app-02,Red Hat Enterprise Linux 8,Frankfurt DC1,8,32\n"
    "db-01,Windows Server 2016,Berlin DC2,16,128\n"
)


def write_inventory(directory: Path, text: str = INVENTORY) -> Path:
    path = directory / "servers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def mapping_model(request: dict[str, Any]) -> Answer:
    """Answers a mapping request from the recorded answers, by the headers in its data block."""
    proposals = []
    for column in data_block(request)["columns"]:
        target, confidence, reason = MAPPING_ANSWERS.get(column["header"], (None, 0.3, "no asset column fits"))
        proposals.append({"column": column["handle"], "target": target, "confidence": confidence, "reason": reason})
    return Answer(content={"proposals": proposals})


def strategy_model(request: dict[str, Any]) -> Answer:
    """A strategist that disagrees with every rule decision it is shown (so an overwrite would show)."""
    proposals = [{"subject": s["handle"], "confidence": 0.6,
                  "strategy": "replatform" if s["rules"]["strategy"] != "replatform" else "rehost",
                  "rationale": f"{s['name']}: a managed platform removes the end-of-life operating system risk"}
                 for s in data_block(request)["subjects"]]
    return Answer(content={"proposals": proposals})


def critic_model(request: dict[str, Any]) -> Answer:
    """Three findings on the plan it is shown: two grounded in its first and last waves, one about a wave the plan
    does not have (which the platform must drop)."""
    plan = data_block(request)
    first, last = plan["waves"][0], plan["waves"][-1]
    critical = next((n for w in plan["waves"] for n in w["critical_names"]), None)
    findings = [
        {"insight_type": "risk_pattern", "title": f"Wave {last['wave']} carries the most assets",
         "detail": f"Wave {last['wave']} moves {last['assets']} assets; consider splitting it.",
         "waves": [last["wave"]], "assets": [critical] if critical else [], "confidence": 0.7},
        {"insight_type": "optimization_opportunity", "title": "The first wave could start sooner",
         "detail": f"Wave {first['wave']} starts on {first['start']}.", "waves": [first["wave"]], "assets": [],
         "confidence": 0.5},
        {"insight_type": "anomaly_detection", "title": "A wave the plan does not have", "detail": "Wave 999.",
         "waves": [999], "assets": [], "confidence": 0.9},
    ]
    return Answer(content={"findings": findings})


def crew_of(request: dict[str, Any]) -> str:
    """Which crew sent the request, by the role in its system prompt: mapping, strategy or plan_critic."""
    role = system_prompt(request).lower()
    if "mapping analyst" in role:
        return "mapping"
    if "strategist" in role:
        return "strategy"
    return "plan_critic"


RESPONDERS = {"mapping": mapping_model, "strategy": strategy_model, "plan_critic": critic_model}


def every_crew(request: dict[str, Any]) -> Answer:
    """Answers whichever crew asks, with that crew's recorded answers."""
    return RESPONDERS[crew_of(request)](request)
