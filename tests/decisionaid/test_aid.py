"""The decision aid per stage, its evidence rows and its IPDAS self-check on every example episode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijpath import wiring
from sijpath.cli.decision_aid import aids_for
from sijpath.decisionaid.check import check_aid, failures
from sijpath.decisionaid.evidence import load_outcome_evidence, parse_outcome_evidence
from sijpath.decisionaid.render import aid_html, aid_markdown
from sijpath.errors import EvidenceCatalogError

EXAMPLES = Path(__file__).parents[2] / "examples"
DAY = "2026-12-01"


def _aid(name: str):  # type: ignore[no-untyped-def]
    (aid,) = aids_for(EXAMPLES / name, wiring.DEFAULT_RULESET, DAY)
    return aid


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_aid_passes_the_ipdas_self_check(path: Path) -> None:
    for aid in aids_for(path, wiring.DEFAULT_RULESET, DAY):
        assert not failures(check_aid(aid)), failures(check_aid(aid))


def test_wait_and_see_is_the_first_option_whenever_options_are_shown() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for aid in aids_for(path, wiring.DEFAULT_RULESET, DAY):
            assert not aid.options or aid.options[0].key == "wait-and-see", path.name


def test_rfa_stage_explains_why_fusion_is_not_offered() -> None:
    aid = _aid("rfa-candidate.yaml")
    assert "fusion" not in [o.key for o in aid.options]
    assert any("fusion" in name.lower() for name, _ in aid.not_offered)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("second-block-negative.yaml", "SI-joint treatments are not offered"),
        ("post-fusion.yaml", "You have had fusion"),
        ("side-not-recorded.yaml", "which side"),
        ("new-referral.yaml", "not yet clear"),
    ],
)
def test_stages_without_a_procedure_decision_show_no_options_only_what_to_clarify(name: str, says: str) -> None:
    aid = _aid(name)
    assert aid.options == ()
    assert says in aid_markdown(aid)
    assert "## The options" not in aid_markdown(aid)


def test_side_by_side_numbers_share_one_time_point_and_come_from_two_options() -> None:
    aid = _aid("fusion-candidate.yaml")
    assert aid.comparisons
    for comp in aid.comparisons:
        assert len({row.months for row in comp.rows}) == 1
        assert len({row.option for row in comp.rows}) > 1


def test_html_icon_arrays_carry_the_number_in_words() -> None:
    html = aid_html(_aid("fusion-candidate.yaml"))
    assert 'role="img"' in html
    assert "out of 100 people" in html


def test_html_draws_an_icon_array_for_every_harm_and_benefit_with_a_number_and_none_for_a_gap() -> None:
    aid = _aid("fusion-candidate.yaml")
    html = aid_html(aid)
    rows = [row for option in aid.options for row in (*option.benefits, *option.harms)]
    known_harms = [row for row in rows if row.kind == "harm" and row.known]
    assert known_harms  # fusion's repeat operations and the pinched nerve
    for row in known_harms:
        assert f"Fusion, harm: {row.per_100()} out of 100 people, {row.time_frame}" in html
        assert f'aria-label="{row.per_100()} out of 100 people: {row.outcome}' in html
    pictured = html.count('<figure class="icons">')
    side_by_side = sum(len(comp.rows) for comp in aid.comparisons)
    assert pictured == sum(row.known for row in rows) + side_by_side


def test_an_outcome_without_a_source_is_refused() -> None:
    text = (
        'evidence_reviewed = 2026-12-02\nreview_every_months = 12\n[[outcome]]\noption = "rfa"\noutcome = "x"\n'
        'kind = "benefit"\npercent = 50.0\nmonths = 3\ndesign = "d"\npopulation = "p"\nfunding = "f"\n'
    )
    with pytest.raises(EvidenceCatalogError, match="invalid outcome evidence"):
        parse_outcome_evidence(text, wiring.load_catalog())


def test_an_outcome_citing_an_unknown_source_is_refused() -> None:
    text = (
        'evidence_reviewed = 2026-12-02\nreview_every_months = 12\n[[outcome]]\noption = "rfa"\noutcome = "x"\n'
        'kind = "benefit"\npercent = 50.0\nmonths = 3\ndesign = "d"\npopulation = "p"\nfunding = "f"\n'
        'cites = ["no-such-source"]\n'
    )
    with pytest.raises(EvidenceCatalogError):
        parse_outcome_evidence(text, wiring.load_catalog())


def test_overdue_evidence_review_fails_the_self_check() -> None:
    (aid,) = aids_for(EXAMPLES / "fusion-candidate.yaml", wiring.DEFAULT_RULESET, "2028-06-01")
    assert aid.evidence_stale
    (stale,) = [r for r in failures(check_aid(aid)) if r.code == "evidence"]
    assert "last reviewed 2026-12-02" in stale.detail
    assert "due by 2027-12-02" in stale.detail


ROWS = load_outcome_evidence(wiring.load_catalog()).outcome


@given(st.sampled_from(ROWS))
def test_every_known_probability_has_source_time_point_and_size_or_percent(row) -> None:  # type: ignore[no-untyped-def]
    if row.known:
        assert row.cites
        assert row.months
        assert row.percent is not None or row.denominator
        assert 0 <= (row.per_100() or 0) <= 100
    else:
        assert row.why_not_known


@given(st.sampled_from(sorted(EXAMPLES.glob("*.yaml"))))
def test_every_option_shown_has_benefits_and_harms(path: Path) -> None:
    for aid in aids_for(path, wiring.DEFAULT_RULESET, DAY):
        for option in aid.options:
            assert option.benefits
            assert option.harms


def test_the_command_writes_the_aid_with_or_without_the_make_word(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sijpath.cli import main

    path = str(EXAMPLES / "fusion-candidate.yaml")
    assert main(["decision-aid", path, "--as-of", DAY, "-f", "html"]) == 0
    assert "Choosing care for SI-joint pain" in capsys.readouterr().out
    assert main(["decision-aid", "make", path, "--as-of", DAY]) == 0
    assert "# Choosing care for SI-joint pain" in capsys.readouterr().out


def test_coverage_per_option_comes_from_the_payer_rule_set() -> None:
    (aid,) = aids_for(EXAMPLES / "rfa-candidate.yaml", "cms-sij-injection", DAY)
    rfa = next(o for o in aid.options if o.key == "rfa")
    assert "not covered" in rfa.coverage.lower()
    assert "code 64625: not covered" in rfa.code_note


def test_the_pdf_aid_is_a_pdf_and_the_same_bytes_twice() -> None:
    from sijpath.decisionaid.pdf import aid_pdf

    aid = _aid("fusion-candidate.yaml")
    first = aid_pdf(aid)
    assert first.startswith(b"%PDF")
    assert aid_pdf(aid) == first


def test_when_only_waiting_is_left_the_aid_shows_no_lone_option_but_says_why_the_others_are_not_open(
    tmp_path: Path,
) -> None:
    # The RFA candidate whose steroid flags hold injections and whose one RFA (technique not recorded) gave no
    # relief: waiting alone is no choice between options.
    episode = wiring.load_episode(EXAMPLES / "rfa-candidate.yaml")
    ablation = {"date": "2026-05-20", "side": "right", "relief_percent": 0.0}
    record = tmp_path / "only-waiting.json"
    document = json.loads(episode.model_dump_json(exclude_none=True))
    document["radiofrequency_ablations"] = [ablation]  # one key, replaced: a key given twice is refused
    record.write_text(json.dumps(document))
    (aid,) = aids_for(record, wiring.DEFAULT_RULESET, DAY)
    assert aid.options == ()
    assert aid.clarify[0].startswith("Right now there is no treatment choice to make")
    assert any("RFA was tried on this joint on 2026-05-20" in line for line in aid.clarify)
    assert not failures(check_aid(aid))


def test_the_aid_shows_its_generation_date_and_version_apart_from_the_as_of_date() -> None:
    import datetime as dt

    from sijpath import __version__

    md = aid_markdown(_aid("fusion-candidate.yaml"))
    assert f"Generated on {dt.date.today().isoformat()} by sijpath {__version__}" in md
    assert f"Record read as of {DAY}" in md
    # The as-of date falls before the evidence review (2026-12-02): the aid says so rather than look dated earlier.
    assert "The as-of date is before this review" in md


@pytest.mark.parametrize("ruleset", [wiring.DEFAULT_RULESET, "cms-mis-fusion", "cms-sij-injection"])
def test_codes_rule_sets_and_licences_stay_out_of_the_patient_text_and_go_to_the_clinician_section(
    ruleset: str,
) -> None:
    from sijpath.decisionaid.render import patient_text

    jargon = ("Code ", "code 2", "code 6", "LCD", "UNVERIFIED", "Apache", "rule set", "cumulative revision", "placebo")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for aid in aids_for(path, ruleset, DAY):
            text = patient_text(aid)
            assert not [word for word in jargon if word in text], (path.name, ruleset)
            clinician = aid_markdown(aid).split("## For clinicians", 1)[1]
            assert "Apache-2.0" in clinician
            assert "Reading level:" in clinician
    (payer,) = aids_for(EXAMPLES / "fusion-candidate.yaml", "cms-mis-fusion", DAY)
    assert "code 27279: covered under this rule set" in aid_markdown(payer).split("## For clinicians", 1)[1]
