"""This clinic's own results in the aid: beside the RFA and fusion options' study numbers, labelled as the clinic's
records (and synthetic when they are), hidden below the minimum N, and the aid still passes its IPDAS self-check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sijpath import wiring
from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.check import check_aid, failures
from sijpath.decisionaid.local import LOCAL_HEADING, LOCAL_WORDS, SYNTHETIC_WORDS
from sijpath.decisionaid.render import aid_html_body, aid_markdown
from sijpath.outcomes.intervals import wilson_interval
from sijpath.outcomes.local_results import MINIMUM_N, MINIMUM_N_SOURCE, LocalFigure, LocalResults
from sijpath.pathway.assess import evaluate
from sijpath.wiring.decision_aids import decision_aids

EXAMPLES = Path(__file__).parents[2] / "examples"
DAY = "2026-12-01"


def _results(n: int, synthetic: bool = False) -> LocalResults:
    figure = LocalFigure(
        "fusion-odi-12m",
        "fusion",
        "Fusion: ODI ≥15 points at 12 months",
        "ODI score 12 months after fusion",
        "About {n} out of 100 people here had an ODI score at least 15 points better 12 months after fusion.",
        wilson_interval(round(n * 0.7), n),
        ("insite-polly-2016",),
    )
    return LocalResults(dt.date(2026, 12, 1), synthetic, (figure,))


def _fusion_aid(local: LocalResults | None) -> Aid:
    record = wiring.load_record(EXAMPLES / "fusion-candidate.yaml")
    day = dt.date.fromisoformat(DAY)
    rules = wiring.load_ruleset(wiring.DEFAULT_RULESET, day)
    assessment = evaluate(record.episode, rules, day, record.issues)
    aid = next(a for a in decision_aids(assessment, rules, record.episode, local=local) if a.options)
    assert any(o.key == "fusion" for o in aid.options)
    return aid


def _section(markdown: str) -> str:
    start = markdown.index(LOCAL_HEADING)
    return markdown[start : markdown.index("\n### ", start) if "\n### " in markdown[start:] else None]


def test_the_clinics_figure_sits_in_the_fusion_option_beside_the_study_numbers_with_n_and_range() -> None:
    aid = _fusion_aid(_results(40))
    markdown = aid_markdown(aid)
    fusion = markdown[markdown.index("### SI-joint fusion") :]
    assert fusion.index("**Possible benefits**") < fusion.index(LOCAL_HEADING)  # after the cited evidence
    section = _section(markdown)
    assert LOCAL_WORDS in section
    assert "About 70 out of 100 people here had an ODI score" in section
    assert "Counted: 40 people." in section
    assert SYNTHETIC_WORDS not in section
    assert LOCAL_HEADING.strip("*") in aid_html_body(aid)


def test_a_figure_below_the_minimum_is_not_shown_and_says_how_many_were_counted() -> None:
    section = _section(aid_markdown(_fusion_aid(_results(MINIMUM_N - 1))))
    assert "out of 100 people here" not in section
    assert f"Only {MINIMUM_N - 1} people have been counted" in section


def test_synthetic_clinic_figures_are_labelled_synthetic() -> None:
    assert SYNTHETIC_WORDS in _section(aid_markdown(_fusion_aid(_results(40, synthetic=True))))


def test_the_aid_with_clinic_figures_still_passes_the_ipdas_self_check_and_cites_the_minimum() -> None:
    aid = _fusion_aid(_results(40))
    assert not failures(check_aid(aid)), failures(check_aid(aid))
    markdown = aid_markdown(aid)
    assert MINIMUM_N_SOURCE in markdown  # listed among the sources


def test_an_aid_made_without_a_registry_shows_no_clinic_section() -> None:
    assert LOCAL_HEADING not in aid_markdown(_fusion_aid(None))
