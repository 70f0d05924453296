"""Medical-necessity letters: refusal with the gaps, drafts that mark them, and no fact that is not in the record."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.documents.letter import build_letter
from sijpath.documents.letter_text import letter_html, letter_markdown
from sijpath.documents.pdf import letter_pdf
from sijpath.domain.episode import Episode
from sijpath.errors import RequestNotSupportedError
from sijpath.pathway.assess import evaluate
from sijpath.settings import Practice

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# A practice as a deployment sets it; 1234567893 is the NPI standard's own worked example of a valid check digit.
PRACTICE = Practice(
    name="Example Spine Clinic", address="1 Main St; Springfield", provider="A. Physician, MD", npi="1234567893"
)
DIAGNOSIS = {"code": "M46.1", "display": "Sacroiliitis, not elsewhere classified", "recorded_date": "2025-12-01"}


def identified(episode: Episode) -> Episode:
    """The episode with what a payer needs besides the clinical facts: name, member ID and an ICD-10-CM code."""
    data = episode.model_dump(mode="json", exclude_none=True)
    data["patient"] |= {"name": "Jordan Example", "member_id": "XYZ123456789"}
    data["diagnoses"] = [*data.get("diagnoses", []), DIAGNOSIS]
    return Episode.model_validate(data)


def letters_for(  # type: ignore[no-untyped-def]
    example: str,
    ruleset_id: str,
    procedure: str,
    draft: bool = False,
    complete: bool = True,
    narrative: str | None = None,
):
    """The episode, and a letter for each assessed joint (`complete`: with identifiers and the practice)."""
    episode = wiring.load_episode(EXAMPLES / f"{example}.yaml")
    episode = identified(episode) if complete else episode
    ruleset = wiring.load_ruleset(ruleset_id, AS_OF)
    assessment = evaluate(episode, ruleset, AS_OF)
    practice = PRACTICE if complete else None
    return episode, [
        build_letter(
            assessment, unit, ruleset, procedure, draft, episode=episode, practice=practice, narrative=narrative
        )
        for unit in assessment.units
    ]


def letter_for(example: str, ruleset_id: str, procedure: str, draft: bool = False, **more):  # type: ignore[no-untyped-def]
    episode, (letter,) = letters_for(example, ruleset_id, procedure, draft, **more)
    return episode, letter


def test_a_letter_lists_each_documented_criterion_with_its_record_facts_and_sources() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    text = letter_markdown(letter)
    assert not letter.draft
    assert "DRAFT" not in text
    assert "## 1. Pain pattern points to the SI joint (below L5, no established radiculopathy)" in text
    assert "## 4. Image-guided, anesthetic-only diagnostic block confirms this SI joint" in text
    assert "## Re: Letter of medical necessity: CPT 27279-RT, right SI joint" in text
    assert "| Side | Right SI joint (CPT modifier RT); pain recorded as right |" in text
    assert (
        "- 2026-03-23: block 2026-03-23 (right), bupivacaine only, fluoroscopy: NRS 8 → 2 at 120 min = 75% relief "
        "(record entry `Procedure/blk-2`)" in text
    )
    assert "| Coverage under this policy | covered [evicore-cmm-611] |" in text
    assert "Signature" in text
    assert "does not make them" in text


def test_a_letter_is_refused_with_every_gap_when_criteria_are_unmet() -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for("payer-smoker", "commercial-strict", "27279")
    assert [p.location for p in info.value.problems] == ["nicotine-free"]
    assert "cotinine 150 ng/mL" in str(info.value)


def test_a_draft_marks_each_gap_and_says_it_is_not_for_submission() -> None:
    _, letter = letter_for("payer-smoker", "commercial-strict", "27279", draft=True)
    text = letter_markdown(letter)
    assert text.count("## GAP:") == 1
    assert "## GAP: Nicotine-free (never-smoker or cotinine under the limit)" in text
    assert "DRAFT, NOT FOR SUBMISSION: 1 criterion(s) not documented (marked GAP)." in text


def test_a_procedure_the_policy_does_not_cover_is_refused_even_when_criteria_are_met() -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for("payer-fusion-candidate", "controlled-block", "64625")
    assert info.value.problems[0].location == "coverage"
    assert "investigational" in info.value.problems[0].message


def _record_dates(episode: Episode) -> set[str]:
    return set(re.findall(r"\d{4}-\d{2}-\d{2}", episode.model_dump_json()))


# The red-flag example gets no letter at all (tested below).
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml") if p.stem != "postpartum-red-flag")


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_letters_state_no_date_or_score_that_is_not_in_the_record(example: str) -> None:
    for ruleset_id in wiring.builtin_ruleset_ids():
        for procedure in ("27279", "64625", "27096"):
            episode, letters = letters_for(example, ruleset_id, procedure, draft=True)
            for letter in letters:
                documented = letter_markdown(letter).split("## GAP:")[0].split("## Enclosures")[0]
                body = documented.split("To the reviewer:")[1]
                assert set(re.findall(r"\d{4}-\d{2}-\d{2}", body)) <= _record_dates(episode), (example, ruleset_id)
                blocks = {(b.pre_block_nrs, b.post_block_nrs) for b in episode.diagnostic_blocks}
                for pre, post in re.findall(r"NRS (\d+(?:\.\d+)?) → (\d+(?:\.\d+)?)", body):
                    assert (float(pre), float(post)) in blocks, (example, ruleset_id, pre, post)
                odi = {s.percent for s in episode.odi_scores}
                for value in re.findall(r"ODI (\d+(?:\.\d+)?)%", body):
                    assert float(value) in odi, (example, value)
                pain = {s.nrs for s in episode.pain_scores}
                for value in re.findall(r"pain NRS (\d+(?:\.\d+)?)", body):
                    assert float(value) in pain, (example, value)


def test_html_is_escaped_and_self_contained() -> None:
    _, letter = letter_for("payer-smoker", "commercial-strict", "27279", draft=True)
    page = letter_html(letter)
    assert page.startswith("<!doctype html>")
    assert "<script" not in page
    assert "<h2>GAP: Nicotine-free (never-smoker or cotinine under the limit)</h2>" in page
    assert "Medicare &amp; Medicaid" in page  # text is escaped ...
    assert "Medicare & Medicaid" not in page
    assert "http" not in page.split("<body>")[0]


def test_pdf_is_a_pdf_and_is_deterministic() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    first, second = letter_pdf(letter), letter_pdf(letter)
    assert first.startswith(b"%PDF-")
    assert first == second
    assert len(first) > 2000


@pytest.mark.parametrize(
    ("example", "ruleset_id", "procedure", "status"),
    [
        ("payer-fusion-candidate", "cms-sij-injection", "27279", "not-addressed"),  # fusion is outside that LCD
        ("payer-fusion-candidate", "commercial-strict", "27278", "not-covered"),  # non-transfixing, eviCore
        ("payer-fusion-candidate", "cms-mis-fusion", "27280", "not listed"),  # open fusion: not in the MI LCD
        ("payer-fusion-candidate", "cms-mis-fusion", "27278", "not-covered"),  # non-transfixing, from 2025
    ],
)
def test_a_letter_is_refused_unless_the_policy_states_the_procedure_as_covered(
    example: str, ruleset_id: str, procedure: str, status: str
) -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for(example, ruleset_id, procedure)
    assert info.value.problems[0].location == "coverage"
    assert status in info.value.problems[0].message


def test_after_a_fusion_a_request_for_another_fusion_is_not_documented() -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for("post-fusion", "source-articles", "27279")
    assert "not assessed at this joint's current stage (post-fusion)" in str(info.value)


@pytest.mark.parametrize("procedure", ["27096", "64625", "27279"])
@pytest.mark.parametrize("draft", [False, True])
def test_no_letter_not_even_a_draft_asks_for_a_procedure_while_a_red_flag_stands(procedure: str, draft: bool) -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for("postpartum-red-flag", "source-articles", procedure, draft)
    assert "a red flag holds every SI-joint procedure" in str(info.value)
    assert [p.location for p in info.value.problems] == ["red-flag-pregnancy"]


def test_an_old_red_flag_diagnosis_still_to_confirm_refuses_a_letter_too() -> None:
    episode = wiring.load_episode(EXAMPLES / "fusion-candidate.yaml")
    old = {"code": "S32.10XA", "recorded_date": "2016-05-01", "status": "active"}
    episode = Episode.model_validate({**episode.model_dump(mode="json", exclude_none=True), "diagnoses": [old]})
    ruleset = wiring.load_ruleset("source-articles", AS_OF)
    (unit,) = evaluate(episode, ruleset, AS_OF).units
    with pytest.raises(RequestNotSupportedError):
        build_letter(evaluate(episode, ruleset, AS_OF), unit, ruleset, "27279", True, episode=episode)


def test_a_payer_letter_never_rests_on_a_patient_education_article() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279", draft=True)
    text = letter_markdown(letter)
    assert "seed-injections" not in text
    assert all(s.verification != "source-article" for s in letter.sources)


def test_coverage_resting_on_unread_policy_text_is_marked_for_the_reviewer() -> None:
    _, letter = letter_for("payer-fusion-candidate", "cms-mis-fusion", "27279", draft=True)
    row = next(line for line in letter_markdown(letter).splitlines() if line.startswith("| Coverage under this policy"))
    assert "UNVERIFIED wording: cms-l39797-coverage" in row
