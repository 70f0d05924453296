"""Reading one patient's resources: a realistic EHR record, and what each unusable resource becomes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest

from sijpath import wiring
from sijpath.domain.injections import read_injection
from sijpath.domain.procedures import Anesthetic, FollowUpPain, SteroidDose
from sijpath.fhir.bundle import import_bundle
from sijpath.fhir.reader import ImportedEpisode
from sijpath.fhir.vocabulary import OWN
from sijpath.pathway.assess import evaluate
from tests.fhir.records import FIXTURES, import_one, injection, issues_at, pain_score, patient, subject

EHR = FIXTURES / "ehr-searchset.json"


@pytest.fixture(scope="module")
def ehr() -> ImportedEpisode:
    imported = import_bundle(EHR.read_bytes(), str(EHR))
    assert list(imported) == ["pt-1001"]
    return imported["pt-1001"]


# A realistic EHR record: US Core resources, a searchset with absolute fullUrls and relative references.


def test_ehr_record_gives_the_patients_name_birth_date_and_sex(ehr: ImportedEpisode) -> None:
    assert ehr.episode.patient.model_dump() == {
        "id": "pt-1001",
        "name": "Adaeze N Okafor",
        "birth_date": dt.date(1971, 6, 14),
        "sex": "female",
        "member_id": None,
    }


def test_ehr_cpt_27096_with_an_anesthetic_only_is_a_block_timed_across_time_zones(ehr: ImportedEpisode) -> None:
    (block,) = ehr.episode.diagnostic_blocks
    assert (block.id, block.date, block.side) == ("Procedure/proc-5501", dt.date(2025, 3, 4), "left")
    assert block.guidance == "fluoroscopy-or-ct"  # all CPT 27096 says
    assert (block.pre_block_nrs, block.post_block_nrs) == (7.0, 1.0)
    # Performed 09:15 at UTC-5, post score at 14:45Z: thirty minutes later.
    assert block.post_block_minutes == 30
    assert block.steroids == ()


def test_ehr_injectate_named_only_by_text_is_read_by_name_with_an_info_issue(ehr: ImportedEpisode) -> None:
    (block,) = ehr.episode.diagnostic_blocks
    assert block.anesthetics == (Anesthetic(drug="bupivacaine", volume_ml=3.0),)
    assert "info: injectate 'bupivacaine 0.5% injection' read as bupivacaine by its name" in issues_at(
        ehr.issues, "Procedure/proc-5501"
    )


def test_ehr_side_read_from_body_site_text_is_noted(ehr: ImportedEpisode) -> None:
    notes = issues_at(ehr.issues, "Procedure/proc-5620")
    assert notes == ["info: side read from the body-site text 'left sacroiliac joint sacroiliac joint structure'"]


def test_ehr_therapeutic_injection_keeps_triamcinolone_40_mg_and_the_pain_diary(ehr: ImportedEpisode) -> None:
    (shot,) = ehr.episode.therapeutic_injections
    assert (shot.id, shot.date, shot.side) == ("Procedure/proc-5620", dt.date(2025, 6, 10), "left")
    assert shot.steroid == SteroidDose(drug="triamcinolone", dose_mg=40.0)
    assert shot.pre_injection_nrs == 8.0
    assert shot.follow_up == (
        FollowUpPain(date=dt.date(2025, 6, 17), nrs=2.0),
        FollowUpPain(date=dt.date(2025, 7, 10), nrs=3.0),
        FollowUpPain(date=dt.date(2025, 8, 20), nrs=7.0),
    )


def test_ehr_pain_diary_gives_the_relief_duration(ehr: ImportedEpisode) -> None:
    (shot,) = ehr.episode.therapeutic_injections
    reading = read_injection(shot, min_relief_percent=50)
    # 75% on day 7, 62% on day 30, 12% on day 71: relief lasted 30 days.
    assert (reading.relief_days, reading.relief_days_at_least) == (30, False)
    assert reading.relief_percent == 75.0


def test_ehr_icd10_sacroiliitis_becomes_an_active_diagnosis(ehr: ImportedEpisode) -> None:
    (diagnosis,) = ehr.episode.diagnoses
    assert diagnosis.model_dump() == {
        "id": "Condition/cond-301",
        "system": "icd-10-cm",
        "code": "M46.1",
        "display": "Sacroiliitis, not elsewhere classified",
        "recorded_date": dt.date(2024, 11, 20),
        "status": "active",
    }


def test_ehr_us_core_smoking_status_ex_smoker_is_a_former_smoker(ehr: ImportedEpisode) -> None:
    (tobacco,) = ehr.episode.tobacco
    assert (tobacco.id, tobacco.date, tobacco.status) == ("Observation/smk-88", dt.date(2025, 3, 4), "former")


def test_ehr_encounter_is_skipped_and_reported_and_the_practitioner_is_not_taken_for_unlinked(
    ehr: ImportedEpisode,
) -> None:
    assert issues_at(ehr.issues, "record") == [
        "info: resources of types sijpath does not read were skipped: 1 Encounter"
    ]
    assert not any("Practitioner" in i.message for i in ehr.issues)


def test_ehr_record_raises_no_warnings_and_no_facts_beyond_those_recorded(ehr: ImportedEpisode) -> None:
    assert [i for i in ehr.issues if i.severity == "warning"] == []
    assert ehr.episode.pain_scores == ()  # every pain score is part of a procedure
    assert len(ehr.issues) == 4


def test_ehr_assessment_cites_the_procedure_resources(ehr: ImportedEpisode) -> None:
    day = dt.date(2025, 9, 1)
    report = evaluate(ehr.episode, wiring.load_ruleset("source-articles"), day, ehr.issues).to_dict()
    # The EHR record codes the side of each procedure but not the side of the pain: both joints are shown, each with
    # what its own record holds, and neither gets a procedure until the side of the pain is recorded.
    left, right = report["joints"]
    assert (left["joint"], right["joint"]) == ("left", "right")
    assert left["next_step"]["code"] == right["next_step"]["code"] == "record-side"
    block = next(c for c in left["criteria"] if c["id"] == "diagnostic-block-confirms-sij")
    assert block["status"] == "met"
    assert [e["ref"] for e in block["evidence"]] == ["Procedure/proc-5501"]
    lasting = next(c for c in left["criteria"] if c["id"] == "injection-relief-lasting")
    assert [e["ref"] for e in lasting["evidence"]] == ["Procedure/proc-5620"]
    assert "lasted 30 days" in lasting["summary"]
    assert next(c for c in right["criteria"] if c["id"] == "diagnostic-block-confirms-sij")["status"] == "unknown"
    assert report["data_issues"][0] == {
        "severity": "info",
        "location": "record",
        "message": "resources of types sijpath does not read were skipped: 1 Encounter",
    }


# What each unusable resource becomes: a data issue that names the resource and the element.


def test_a_string_where_a_number_belongs_is_a_warning_naming_the_resource_and_element() -> None:
    bad = pain_score("o1", valueQuantity={"value": "8", "unit": "{score}"})
    imported = import_one(patient(), bad)
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/o1") == [
        "warning: valueQuantity.value: Input should be a valid number (got '8'): this resource was not imported"
    ]


def test_a_dangling_part_of_reference_becomes_a_data_issue_naming_the_resource() -> None:
    score = pain_score("o1", partOf=[{"reference": "Procedure/gone"}])
    imported = import_one(patient(), score)
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/o1") == [
        "warning: partOf 'Procedure/gone' is not a Procedure in this record; not imported"
    ]


def test_a_part_of_reference_to_a_resource_that_is_not_a_procedure_is_reported() -> None:
    imported = import_one(patient(), pain_score("o0"), pain_score("o1", partOf=[{"reference": "Observation/o0"}]))
    assert [p.id for p in imported.episode.pain_scores] == ["Observation/o0"]
    assert issues_at(imported.issues, "Observation/o1") == [
        "warning: partOf 'Observation/o0' is not a Procedure in this record; not imported"
    ]


def test_a_subject_naming_an_absent_patient_keeps_the_facts_and_says_demographics_are_unknown() -> None:
    imported = import_one(pain_score("o1", pid="ghost"))
    assert imported.episode.patient.id == "ghost"
    assert [p.id for p in imported.episode.pain_scores] == ["Observation/o1"]
    assert issues_at(imported.issues, "Patient/ghost") == ["info: no Patient resource: birth date and sex unknown"]


def test_a_resource_whose_subject_resolves_to_no_patient_is_reported_as_unlinked() -> None:
    lost = pain_score("o2", subject={"reference": "urn:uuid:7a3c5d1e-0000-4000-8000-000000000000"})
    imported = import_one(patient(), pain_score("o1"), lost)
    assert [p.id for p in imported.episode.pain_scores] == ["Observation/o1"]
    assert issues_at(imported.issues, "record") == [
        "warning: 1 resource(s) name no patient this record holds (Observation/o2); "
        "any of them may belong to this patient and none was imported"
    ]


def test_a_date_time_with_a_time_but_no_zone_is_a_warning_naming_the_element() -> None:
    imported = import_one(patient(), pain_score("o1", day="2025-01-10T09:30:00"))
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/o1") == [
        "warning: effectiveDateTime: '2025-01-10T09:30:00' has a time but no time zone (FHIR requires "
        "one, e.g. `Z` or `-05:00`) (got '2025-01-10T09:30:00'): this resource was not imported"
    ]


def test_a_year_only_date_gives_no_day_and_the_fact_is_not_imported() -> None:
    imported = import_one(patient(), pain_score("o1", day="2025"))
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/o1") == [
        "warning: effectiveDateTime '2025' gives no day (only a year or month); not imported"
    ]


@pytest.mark.parametrize("day", ["2025-02-30", "2025-13", "0000-01-01", "2025-01-10T24:30:00Z"])
def test_a_date_that_does_not_exist_is_a_warning_not_a_crash(day: str) -> None:
    imported = import_one(patient(), pain_score("o1", day=day))
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/o1") == [
        f"warning: effectiveDateTime: {day!r} is not a day and time that exists (got {day!r}): "
        "this resource was not imported"
    ]


def test_a_procedure_not_done_is_noted_and_not_imported() -> None:
    imported = import_one(patient(), injection("inj-1", status="not-done"))
    assert imported.episode.therapeutic_injections == ()
    assert issues_at(imported.issues, "Procedure/inj-1") == [
        "info: status `not-done`: not a completed record; not imported"
    ]


@pytest.mark.parametrize("status", ["refuted", "entered-in-error"])
def test_a_refuted_condition_is_noted_and_not_imported(status: str) -> None:
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "verificationStatus": {"coding": [{"code": status}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M46.1"}]},
        "subject": subject(),
        "recordedDate": "2025-01-01",
    }
    imported = import_one(patient(), condition)
    assert imported.episode.diagnoses == ()
    assert issues_at(imported.issues, "Condition/c1") == [
        "info: verificationStatus says this condition is refuted or entered in error; not imported"
    ]


def test_an_observation_with_an_unknown_code_is_skipped_and_reported_with_its_code() -> None:
    heart_rate = pain_score("hr", code={"coding": [{"system": "http://loinc.org", "code": "8867-4"}]})
    imported = import_one(patient(), heart_rate)
    assert imported.episode.pain_scores == ()
    assert issues_at(imported.issues, "Observation/hr") == [
        "info: an Observation sijpath does not read (http://loinc.org 8867-4); skipped"
    ]


def test_a_resource_without_an_id_is_named_by_its_position() -> None:
    score = pain_score("o1")
    del score["id"]
    score["status"] = 1
    imported = import_one(patient(), score)
    assert issues_at(imported.issues, "Observation #2") == [
        "warning: status: Input should be a valid string (got 1): this resource was not imported"
    ]


def test_a_medication_administration_outside_any_procedure_is_noted() -> None:
    given: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": "m1",
        "status": "completed",
        "medicationCodeableConcept": {"text": "ibuprofen"},
        "subject": subject(),
        "effectiveDateTime": "2025-01-01",
    }
    imported = import_one(patient(), given)
    assert issues_at(imported.issues, "MedicationAdministration/m1") == [
        "info: a medication administration not part of an SI-joint procedure; not imported"
    ]


def test_a_birth_date_outside_the_supported_range_is_a_warning_and_age_is_unknown() -> None:
    imported = import_one(patient(birthDate="1850-01-01"), pain_score("o1"))
    assert imported.episode.patient.birth_date is None
    assert issues_at(imported.issues, "Patient/p1") == [
        "warning: birthDate '1850-01-01' is outside 1900-01-01 … 2199-12-31; age is unknown"
    ]


def test_a_contraindication_review_dated_outside_the_supported_range_is_not_imported() -> None:
    review = pain_score(
        "rev", day="1850-06-01", code={"coding": [{"system": OWN, "code": "fusion-contraindications-reviewed"}]}
    )
    imported = import_one(patient(), review)
    assert imported.episode.contraindications_reviewed_on is None
    assert issues_at(imported.issues, "Observation/rev") == [
        "warning: effectiveDateTime 1850-06-01 is outside 1900-01-01 … 2199-12-31; not imported"
    ]


def test_an_impossible_follow_up_score_drops_the_injection_with_a_warning_naming_the_field() -> None:
    diary = pain_score("d1", day="2025-02-01", nrs=-3.0, partOf=[{"reference": "Procedure/inj-1"}])
    imported = import_one(patient(), injection("inj-1"), diary)
    assert imported.episode.therapeutic_injections == ()
    assert issues_at(imported.issues, "Procedure/inj-1")[-2:] == [
        "warning: follow_up[0].nrs: Input should be greater than or equal to 0 (got -3.0): "
        "this therapeutic injection was not imported",
        "info: 1 resource(s) attached to it were not imported with it",
    ]


def test_a_relief_duration_too_large_to_count_drops_the_injection_with_a_warning() -> None:
    duration = pain_score(
        "dur",
        code={"coding": [{"system": OWN, "code": "relief-duration"}]},
        valueQuantity={"value": 1e308, "unit": "wk", "code": "wk"},
        partOf=[{"reference": "Procedure/inj-1"}],
    )
    imported = import_one(patient(), injection("inj-1"), duration)
    assert imported.episode.therapeutic_injections == ()
    assert (
        "warning: relief_duration_days: Input should be a valid integer (got inf): "
        "this therapeutic injection was not imported"
    ) in issues_at(imported.issues, "Procedure/inj-1")


@pytest.mark.parametrize(
    "system", ["http://www.ama-assn.org/go/cpt", "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"]
)
def test_a_fusion_code_is_read_under_the_cpt_or_the_hcpcs_system(system: str) -> None:
    fusion = injection("f1", code={"coding": [{"system": system, "code": "27279"}]})
    imported = import_one(patient(), fusion)
    assert [(f.id, f.cpt, f.side) for f in imported.episode.fusions] == [("Procedure/f1", "27279", "left")]


def test_a_patients_official_name_and_member_number_are_read_and_other_identifiers_are_not() -> None:
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [
            {"use": "nickname", "text": "JJ"},
            {"use": "official", "given": ["Jordan", "A."], "family": "Example"},
        ],
        "identifier": [
            {"system": "urn:mrn", "value": "MRN-1"},
            {
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}]},
                "value": "M-77",
            },
        ],
    }
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    read = import_bundle(orjson.dumps(bundle))["p1"].episode.patient
    assert (read.name, read.member_id) == ("Jordan A. Example", "M-77")
