"""The letter for an ablation under a clinic rule set with lateral branch blocks: a trial is never the payer's policy,
and the blocks' threshold cites what the rule uses."""

from __future__ import annotations

import datetime as dt

from sijpath import wiring
from sijpath.documents.letter import build_letter
from sijpath.documents.letter_text import letter_markdown
from sijpath.documents.packet import clauses_markdown
from sijpath.domain.episode import Episode
from sijpath.pathway.assess import evaluate
from tests.documents.test_letter import EXAMPLES, PRACTICE, identified

AS_OF = dt.date(2026, 11, 1)
RULESET = str(EXAMPLES / "rulesets" / "clinic-lateral-branch-rfa.toml")
BLOCK = {"side": "right", "guidance": "fluoroscopy", "anesthetics": [{"drug": "lidocaine"}]}
SCORES = {"pre_block_nrs": 7, "post_block_nrs": 1, "post_block_minutes": 30}


def _letter_text() -> tuple[str, str]:
    episode = identified(wiring.load_episode(EXAMPLES / "rfa-candidate.yaml"))
    blocks = [{"id": f"lbb-{day}", "date": f"2026-09-{day}", **BLOCK, **SCORES} for day in ("01", "15")]
    episode = Episode.model_validate(
        {**episode.model_dump(mode="json", exclude_none=True), "lateral_branch_blocks": blocks}
    )
    ruleset = wiring.load_ruleset(RULESET, AS_OF)
    (unit,) = evaluate(episode, ruleset, AS_OF).units
    letter = build_letter(
        evaluate(episode, ruleset, AS_OF), unit, ruleset, "64625", True, episode=episode, practice=PRACTICE
    )
    text = letter_markdown(letter)
    start = text.index("Positive lateral branch blocks of this joint before radiofrequency ablation")
    return text[start : text.index("\n## ", start)], clauses_markdown(letter)


def test_the_patel_trial_is_never_presented_as_the_payers_policy_clause() -> None:
    block, clauses = _letter_text()
    assert "Payer policy: no clause of this payer's policy states this criterion" in block
    assert "Payer policy: A randomized" not in block
    assert "lateral branch neurotomy" not in clauses


def test_the_lateral_branch_threshold_cites_the_lateral_branch_source_and_says_it_is_the_clinics_reading() -> None:
    block, _ = _letter_text()
    relief = next(line for line in block.splitlines() if "Relief a lateral branch block must reach" in line)
    assert relief.startswith("- Rule set value, not a payer policy clause: ")
    assert "75% (patel-2012-lateral-branch)" in relief
    assert "The clinic's own reading" in relief
    assert "Relief a diagnostic block must reach" not in block  # the intra-articular blocks' 75% and its sources
    assert "isass-2015" not in block
