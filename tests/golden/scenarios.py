"""Golden scenario files: an episode (file or inline), a rule set and an as-of date, with hand-written expectations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import Assessment
from sijpath.engine.evaluate import evaluate

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "golden" / "cases"


@dataclass
class Scenario:
    name: str
    episode: Episode
    ruleset: str
    as_of: dt.date
    expect: dict[str, Any] = field(default_factory=dict)
    source: str = "inline"

    def assess(self) -> Assessment:
        return evaluate(self.episode, wiring.load_ruleset(self.ruleset, self.as_of), self.as_of)


def load_scenarios() -> list[Scenario]:
    scenarios = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        source = data["episode"]
        episode = wiring.load_episode(REPO / source) if isinstance(source, str) else Episode.model_validate(source)
        ruleset = data.get("ruleset", "source-articles")
        if ruleset.endswith(".toml"):
            ruleset = str(REPO / ruleset)
        origin = source if isinstance(source, str) else "inline"
        scenarios.append(Scenario(path.stem, episode, ruleset, data["as_of"], data["expect"], origin))
    return scenarios
