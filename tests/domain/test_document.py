"""Reading episode documents (JSON and YAML) and the published JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest

from sijpath.domain.document import episode_json_schema, parse_episode
from sijpath.errors import EpisodeValidationError, Problem, UnreadableInputError

EPISODE_JSON = """
{
  "format": "sijpath-episode/1",
  "patient": {"id": "p1", "birth_date": "1968-04-02", "sex": "female"},
  "pain": {"onset_date": "2023-09-01", "below_l5": true, "laterality": "left"},
  "diagnoses": [{"code": "M46.1", "recorded_date": "2024-01-15"}],
  "diagnostic_blocks": [
    {
      "date": "2025-01-10",
      "side": "left",
      "guidance": "fluoroscopy",
      "contrast": true,
      "anesthetics": [{"drug": "lidocaine", "concentration_percent": 2, "volume_ml": 1.5}],
      "pre_block_nrs": 8,
      "post_block_nrs": 1,
      "post_block_minutes": 30
    }
  ],
  "therapeutic_injections": [
    {
      "date": "2024-02-15",
      "side": "left",
      "steroid": {"drug": "triamcinolone", "dose_mg": 40},
      "pre_injection_nrs": 8,
      "follow_up": [{"date": "2024-03-01", "nrs": 2}]
    }
  ],
  "physical_therapy": [{"start_date": "2024-01-20", "end_date": "2024-05-30", "focus": ["core-stabilization"]}],
  "medications": [{"start_date": "2024-02-01", "drug_class": "opioid", "drug": "tramadol", "daily_mme": 20}],
  "contraindications_reviewed_on": "2025-10-01"
}
"""

# The same document in YAML, with dates left unquoted as people write them.
EPISODE_YAML = """
format: sijpath-episode/1
patient: {id: p1, birth_date: 1968-04-02, sex: female}
pain: {onset_date: 2023-09-01, below_l5: true, laterality: left}
diagnoses:
  - {code: M46.1, recorded_date: 2024-01-15}
diagnostic_blocks:
  - date: 2025-01-10
    side: left
    guidance: fluoroscopy
    contrast: true
    anesthetics: [{drug: lidocaine, concentration_percent: 2, volume_ml: 1.5}]
    pre_block_nrs: 8
    post_block_nrs: 1
    post_block_minutes: 30
therapeutic_injections:
  - date: 2024-02-15
    side: left
    steroid: {drug: triamcinolone, dose_mg: 40}
    pre_injection_nrs: 8
    follow_up: [{date: 2024-03-01, nrs: 2}]
physical_therapy:
  - {start_date: 2024-01-20, end_date: 2024-05-30, focus: [core-stabilization]}
medications:
  - {start_date: 2024-02-01, drug_class: opioid, drug: tramadol, daily_mme: 20}
contraindications_reviewed_on: 2025-10-01
"""


def test_json_and_yaml_of_the_same_document_give_equal_episodes() -> None:
    from_json = parse_episode(EPISODE_JSON, "json")
    from_yaml = parse_episode(EPISODE_YAML, "yaml")

    assert from_json == from_yaml
    assert from_json.patient.birth_date == dt.date(1968, 4, 2)
    assert from_json.diagnostic_blocks[0].post_block_minutes == 30
    assert from_yaml.therapeutic_injections[0].follow_up[0].date == dt.date(2024, 3, 1)


def test_yaml_text_that_looks_like_a_date_stays_text() -> None:
    # A YAML 1.1 loader would turn `2024-01-01` into a date object, which the text field `patient.id` rejects.
    episode = parse_episode("patient: {id: 2024-01-01}\n", "yaml")

    assert episode.patient.id == "2024-01-01"
    assert episode == parse_episode('{"patient": {"id": "2024-01-01"}}', "json")


def test_json_may_be_given_as_bytes() -> None:
    assert parse_episode(EPISODE_JSON.encode(), "json") == parse_episode(EPISODE_JSON, "json")


def problems_of(text: str, document_format: str = "json") -> tuple[Problem, ...]:
    with pytest.raises(EpisodeValidationError) as caught:
        parse_episode(text, document_format)  # type: ignore[arg-type]
    return caught.value.problems


def with_patient(**facts: Any) -> str:
    return json.dumps({"patient": {"id": "p1"}, **facts})


BLOCK = {"date": "2025-01-10", "side": "left", "guidance": "fluoroscopy", "anesthetics": [{"drug": "lidocaine"}]}


def test_nrs_above_10_is_rejected_at_its_field_path() -> None:
    problems = problems_of(with_patient(diagnostic_blocks=[{**BLOCK, "pre_block_nrs": 11}]))

    assert [p.location for p in problems] == ["diagnostic_blocks[0].pre_block_nrs"]
    assert "11" in problems[0].message  # the rejected value is quoted back


def test_nrs_above_10_is_located_the_same_way_in_yaml() -> None:
    text = "patient: {id: p1}\ndiagnostic_blocks:\n  - {date: 2025-01-10, side: left, guidance: fluoroscopy,\n"
    text += "     anesthetics: [{drug: lidocaine}], post_block_nrs: 11}\n"

    assert [p.location for p in problems_of(text, "yaml")] == ["diagnostic_blocks[0].post_block_nrs"]


@pytest.mark.parametrize(
    ("document", "location"),
    [
        ({"patient": {"id": "p1"}, "bogus": 1}, "bogus"),
        ({"patient": {"id": "p1", "nickname": "x"}}, "patient.nickname"),
        (
            {"patient": {"id": "p1"}, "diagnostic_blocks": [{**BLOCK, "post_block_minute": 30}]},
            "diagnostic_blocks[0].post_block_minute",
        ),
    ],
)
def test_an_unknown_field_is_rejected_by_name(document: dict[str, Any], location: str) -> None:
    problems = problems_of(json.dumps(document))

    assert [p.location for p in problems] == [location]
    assert "unknown field" in problems[0].message


@pytest.mark.parametrize(
    ("text", "document_format"),
    [
        ('{"patient": {"id": "p1"', "json"),
        ("{'patient': 1}", "json"),  # single quotes are not JSON
        ("", "json"),
        ("patient: [unclosed", "yaml"),
        ("patient:\n  id: p1\n bad-indent: 1\n", "yaml"),
    ],
)
def test_malformed_text_is_unreadable_input(text: str, document_format: str) -> None:
    with pytest.raises(UnreadableInputError, match="<input>: not valid"):
        parse_episode(text, document_format)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "document_format"),
    [("[1, 2]", "json"), ("- patient: {id: p1}\n", "yaml"), ('"just text"', "json"), ("just text", "yaml")],
)
def test_a_document_that_is_not_a_mapping_is_an_invalid_episode(text: str, document_format: str) -> None:
    with pytest.raises(EpisodeValidationError, match="must be a mapping at the top level"):
        parse_episode(text, document_format)  # type: ignore[arg-type]


def test_errors_name_the_origin_of_the_document() -> None:
    with pytest.raises(EpisodeValidationError) as caught:
        parse_episode("{}", "json", origin="case-17.json")

    assert str(caught.value).startswith("case-17.json: ")
    assert [p.location for p in caught.value.problems] == ["patient"]  # the one required field


def test_a_negative_relief_duration_is_rejected() -> None:
    problems = problems_of(
        with_patient(therapeutic_injections=[{"date": "2024-03-01", "side": "left", "relief_duration_days": -1}])
    )

    assert [p.location for p in problems] == ["therapeutic_injections[0].relief_duration_days"]


def test_a_course_ending_before_it_starts_is_rejected() -> None:
    problems = problems_of(with_patient(physical_therapy=[{"start_date": "2024-02-01", "end_date": "2024-01-31"}]))

    assert [p.location for p in problems] == ["physical_therapy[0]"]
    assert "end_date 2024-01-31 is before start_date 2024-02-01" in problems[0].message


def test_a_course_ending_on_its_start_day_is_accepted() -> None:
    episode = parse_episode(
        with_patient(physical_therapy=[{"start_date": "2024-02-01", "end_date": "2024-02-01"}]), "json"
    )

    assert episode.physical_therapy[0].end_date == dt.date(2024, 2, 1)


def test_daily_mme_on_a_non_opioid_is_rejected() -> None:
    problems = problems_of(
        with_patient(medications=[{"start_date": "2024-01-01", "drug_class": "nsaid", "daily_mme": 5}])
    )

    assert [p.location for p in problems] == ["medications[0]"]
    assert "daily_mme applies only to drug_class `opioid`" in problems[0].message


def test_normal_imaging_combined_with_another_finding_is_rejected() -> None:
    study = {"date": "2024-01-01", "modality": "ct", "region": "sij", "findings": ["normal", "joint-disruption"]}

    problems = problems_of(with_patient(imaging=[study]))

    assert [p.location for p in problems] == ["imaging[0]"]
    assert "`normal` cannot be combined with other findings" in problems[0].message


def test_normal_imaging_on_its_own_is_accepted() -> None:
    study = {"date": "2024-01-01", "modality": "xray", "region": "pelvis", "findings": ["normal"]}

    assert parse_episode(with_patient(imaging=[study]), "json").imaging[0].findings == ("normal",)


def test_a_follow_up_dated_before_its_injection_is_rejected() -> None:
    injection = {
        "date": "2024-03-01",
        "side": "left",
        "follow_up": [{"date": "2024-03-01", "nrs": 2}, {"date": "2024-02-29", "nrs": 3}],  # the day before
    }

    problems = problems_of(with_patient(therapeutic_injections=[injection]))

    assert [p.location for p in problems] == ["therapeutic_injections[0]"]
    assert "follow_up[1] is dated 2024-02-29, before the injection on 2024-03-01" in problems[0].message


@pytest.mark.parametrize("code", ["M46.1", "M48.061", "M54.16", "M45.8", "Z98.1", "M46", "S33.6XXA"])
def test_a_well_formed_icd10cm_code_is_accepted(code: str) -> None:
    episode = parse_episode(with_patient(diagnoses=[{"code": code, "recorded_date": "2024-01-01"}]), "json")

    assert episode.diagnoses[0].code == code


@pytest.mark.parametrize("code", ["m46.1", "M4", "461.0", "M46.", "M46.12345", "M46-1", "MM6.1", "M46.1 extra"])
def test_a_malformed_icd10cm_code_is_rejected(code: str) -> None:
    problems = problems_of(with_patient(diagnoses=[{"code": code, "recorded_date": "2024-01-01"}]))

    assert [p.location for p in problems] == ["diagnoses[0].code"]


def test_every_problem_in_a_document_is_reported() -> None:
    problems = problems_of(
        with_patient(
            diagnoses=[{"code": "bad", "recorded_date": "2024-01-01"}],
            physical_therapy=[{"start_date": "2024-02-01", "end_date": "2024-01-31"}],
            bogus=True,
        )
    )

    assert sorted(p.location for p in problems) == ["bogus", "diagnoses[0].code", "physical_therapy[0]"]


# --- episode_json_schema --------------------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = json.loads(episode_json_schema())

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schema_accepts_a_minimal_episode() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(episode_json_schema()))

    assert list(validator.iter_errors({"patient": {"id": "p1"}})) == []


def test_the_schema_rejects_what_the_parser_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(episode_json_schema()))

    assert not validator.is_valid({})  # no patient
    assert not validator.is_valid({"patient": {"id": "p1"}, "bogus": 1})  # unknown field
    assert not validator.is_valid({"patient": {"id": "p1"}, "diagnostic_blocks": [{**BLOCK, "pre_block_nrs": 11}]})


def test_the_schema_accepts_the_full_example_document() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(episode_json_schema()))

    assert list(validator.iter_errors(json.loads(EPISODE_JSON))) == []


def test_a_boolean_pain_score_is_rejected() -> None:
    problems = problems_of(with_patient(pain_scores=[{"date": "2024-01-01", "nrs": True}]))

    assert [p.location for p in problems] == ["pain_scores[0].nrs"]


def test_a_key_given_twice_in_yaml_is_refused_naming_the_key_and_its_path() -> None:
    text = "patient: {id: p}\ndiagnostic_blocks:\n  - date: 2026-03-15\n    side: left\n    side: right\n"
    with pytest.raises(EpisodeValidationError) as caught:
        parse_episode(text, "yaml")
    (problem,) = caught.value.problems
    assert problem.location == "diagnostic_blocks[0].side"
    assert "`side` is given twice" in problem.message
    assert "line 5" in problem.message


def test_a_key_given_twice_in_json_is_refused_naming_the_key_and_its_path() -> None:
    text = '{"patient": {"id": "p"}, "diagnostic_blocks": [{"post_block_nrs": 7, "post_block_nrs": 1}]}'
    with pytest.raises(EpisodeValidationError) as caught:
        parse_episode(text, "json")
    assert [str(p) for p in caught.value.problems] == [
        "diagnostic_blocks[0].post_block_nrs: the key `post_block_nrs` is given twice in one mapping: keep the one "
        "that is right"
    ]


def test_a_top_level_key_given_twice_is_refused() -> None:
    with pytest.raises(EpisodeValidationError, match="patient"):
        parse_episode("patient: {id: a}\npatient: {id: b}\n", "yaml")


def test_the_same_key_in_sibling_mappings_is_not_a_duplicate() -> None:
    text = (
        "patient: {id: p}\npain: {laterality: left}\n"
        "pain_scores:\n  - {date: 2026-01-01, nrs: 5}\n  - {date: 2026-02-01, nrs: 4}\n"
    )
    assert len(parse_episode(text, "yaml").pain_scores) == 2
