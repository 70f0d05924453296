"""Golden scenario files: an episode (file or inline), a rule set and an as-of date, with hand-written expectations.

`expect` holds the expectations of the patient's only assessed joint, or `joints: {left: {...}, right: {...}}` with
one block per assessed joint (every assessed joint must be listed, and no other). `replace` swaps whole top-level
fields of the episode (a variant of an example patient, one fact changed). `imported: {replace: ...}` is the same
record as the EHR sends it (the episode with those fields swapped), merged into the episode, whose every fact was
entered here: the merged record is assessed with the issues the merge found (a disputed fact). `cites` lists the
source clauses a scenario tests: `{source: <catalog id>, clause: "<the words it rests on>"}`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sijpath import wiring
from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.issues import DataIssue
from sijpath.domain.merging import merge_record
from sijpath.engine.assessment import Assessment
from sijpath.pathway.assess import evaluate

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "golden" / "cases"
JOINT_KEYS = (
    "stage",
    "next_step",
    "flags",
    "criteria",
    "absent_criteria",
    "other_actions_contains",
    "missing_data_contains",
    "missing_data_absent_words",
    "rationale_contains",
    "rationale_absent",
)


@dataclass
class Scenario:
    name: str
    episode: Episode
    ruleset: str
    as_of: dt.date
    expect: dict[str, Any] = field(default_factory=dict)
    source: str = "inline"
    cites: list[dict[str, str]] = field(default_factory=list)
    medicare_contractor: str | None = None
    record_issues: tuple[DataIssue, ...] = ()

    def assess(self) -> Assessment:
        ruleset = wiring.load_ruleset(self.ruleset, self.as_of, self.medicare_contractor)
        return evaluate(self.episode, ruleset, self.as_of, self.record_issues)

    def joint_expectations(self) -> dict[str, dict[str, Any]] | None:
        """Expectations by joint, or None when they are for the only assessed joint."""
        joints = self.expect.get("joints")
        return dict(joints) if joints is not None else None

    @property
    def next_steps(self) -> set[str]:
        joints = self.joint_expectations()
        if joints is None:
            return {self.expect["next_step"]}
        return {j["next_step"] for j in joints.values()}

    @property
    def flags(self) -> set[str]:
        joints = self.joint_expectations()
        if joints is None:
            return set(self.expect["flags"])
        return {f for j in joints.values() for f in j.get("flags", [])}


def _replaced(episode: Episode, fields: dict[str, Any]) -> Episode:
    return Episode.model_validate({**episode.model_dump(mode="json", exclude_none=True), **fields})


def load_scenarios() -> list[Scenario]:
    scenarios = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        source = data["episode"]
        episode = wiring.load_episode(REPO / source) if isinstance(source, str) else Episode.model_validate(source)
        if "replace" in data:
            episode = _replaced(episode, data["replace"])
        issues: tuple[DataIssue, ...] = ()
        if "imported" in data:
            entered = {
                (e.name, i): ("entered:clinician", None)
                for e in FACT_LISTS
                for i in range(len(getattr(episode, e.name)))
            }
            merge = merge_record(episode, entered, _replaced(episode, data["imported"]["replace"]), origin="the EHR")
            episode, issues = merge.episode, merge.issues
        ruleset = data.get("ruleset", "source-articles")
        if ruleset.endswith(".toml"):
            ruleset = str(REPO / ruleset)
        origin = source if isinstance(source, str) else "inline"
        scenario = Scenario(
            path.stem,
            episode,
            ruleset,
            data["as_of"],
            data["expect"],
            origin,
            data.get("cites", []),
            data.get("medicare_contractor"),
            issues,
        )
        scenarios.append(scenario)
    return scenarios
