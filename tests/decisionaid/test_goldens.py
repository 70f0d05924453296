"""Decision-aid goldens per stage: the options offered and not offered, the words that explain them, the statement
that the aid supports a conversation, and the whole Markdown aid byte for byte (SIJPATH_UPDATE_GOLDENS=1 rewrites)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from sijpath import wiring
from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.render import aid_markdown
from sijpath.domain.episode import Episode
from sijpath.pathway.assess import evaluate
from sijpath.wiring.decision_aids import decision_aids

REPO = Path(__file__).resolve().parents[2]
GOLDENS = Path(__file__).parent / "goldens"
UPDATE = os.environ.get("SIJPATH_UPDATE_GOLDENS") == "1"


@dataclass(frozen=True)
class Case:
    name: str
    data: dict[str, Any]

    def aids(self) -> list[Aid]:
        episode = wiring.load_episode(REPO / self.data["episode"])
        if "replace" in self.data:
            dumped = episode.model_dump(mode="json", exclude_none=True)
            episode = Episode.model_validate({**dumped, **self.data["replace"]})
        day: dt.date = self.data["as_of"]
        rules = wiring.load_ruleset(self.data.get("ruleset", wiring.DEFAULT_RULESET), day)
        return decision_aids(evaluate(episode, rules, day), rules, episode)


CASES = [Case(p.stem, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(GOLDENS.glob("*.yaml"))]


def _check_joint(aid: Aid, expect: dict[str, Any]) -> None:
    offered = [o.key for o in aid.options]
    named = {name: why for name, why in aid.not_offered}
    not_offered = [key for key in ("wait-and-see", "repeat-injections", "rfa", "fusion") if _named(key, named)]
    md = aid_markdown(aid)
    if "stage" in expect:
        assert aid.stage == expect["stage"]
    if "offered" in expect:
        assert offered == expect["offered"]
    if "not_offered" in expect:
        assert not_offered == expect["not_offered"]
    assert set(expect.get("offered_contains", [])) <= set(offered)
    assert not set(expect.get("not_offered_lacks", [])) & set(not_offered)
    for words in expect.get("says", []):
        assert words in md, words
    for words in expect.get("lacks", []):
        assert words not in md, words
    # Every aid, options or none, says what it is and is not.
    assert "supports a conversation with your care team" in md
    assert "It is not a recommendation" in md
    if not offered:
        assert aid.clarify
        assert "## The options" not in md
        assert "## What needs to happen first" in md


def _named(key: str, named: dict[str, str]) -> bool:
    from sijpath.decisionaid.aid import NAMES

    return NAMES[key] in named


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_aid_offers_and_explains_the_expected_options(case: Case) -> None:
    aids = {aid.joint.split()[0].lower(): aid for aid in case.aids()}
    expect = case.data["expect"]
    assert sorted(aids) == sorted(expect)
    for joint, aid in aids.items():
        _check_joint(aid, expect[joint])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_aid_markdown_is_unchanged(case: Case) -> None:
    text = "".join(aid_markdown(aid) for aid in case.aids())
    golden = GOLDENS / f"{case.name}.md"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden {golden.name}: run with SIJPATH_UPDATE_GOLDENS=1 and read it before committing"
    assert text == golden.read_text(encoding="utf-8")


def test_every_stage_the_issue_names_has_a_golden() -> None:
    stages = {aid.stage for case in CASES for aid in case.aids()}
    assert {"non-surgical-care", "surgical-candidacy", "post-fusion", "other-pain-source", "red-flags"} <= stages
