"""Registry outcomes as FHIR: exported Observations and QuestionnaireResponses conform to R4B and read back the same."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, Engine, func, select

from sijpath.errors import OutcomeEntryError
from sijpath.fhir.vocabulary import LOINC, OWN, OWN_CONCEPTS
from sijpath.outcomes.eq5d import parse_value_set
from sijpath.outcomes.fhir_export import QUESTIONNAIRE_EQ5D, QUESTIONNAIRE_ODI, patient_outcomes_bundle, questionnaires
from sijpath.outcomes.fhir_import import import_outcomes
from sijpath.outcomes.registry import record_entry, register_procedure
from sijpath.store.database import connect, transaction, upgrade
from sijpath.store.tables import outcome_entries
from tests.fhir.records import r4b_problems
from tests.outcomes.conftest import INVENTED_VALUE_SET, NOW

VALUE_SET = parse_value_set(INVENTED_VALUE_SET, "test")
FUSION = {"patient_id": "P-7", "joint": "right", "procedure": "fusion", "performed_on": "2026-01-15"}
RFA = {"patient_id": "P-7", "joint": "left", "procedure": "rfa", "performed_on": "2025-06-02"}


def _fill(connection: Connection) -> None:
    fusion = register_procedure(connection, FUSION, actor="nurse", now=NOW)
    rfa = register_procedure(connection, RFA, actor="nurse", now=NOW)
    entries: list[tuple[int, dict[str, Any]]] = [
        (fusion, {"measured_on": "2026-01-02", "nrs_back": 8, "nrs_leg": 3, "odi_total": 56.0, "mme_per_day": 45.0}),
        (
            fusion,
            {
                "measured_on": "2026-04-16",
                "nrs_back": 3,
                "odi_items": [2, 2, 2, 2, 2, 2, 1, None, 2, 1],
                "eq5d": [2, 1, 2, 3, 1],
                "eq5d_vas": 70,
                "medications": [{"drug": "oxycodone", "dose": 5.0, "per_day": 2.0}],
            },
        ),
        (fusion, {"measured_on": "2026-02-10", "complication": "wound infection", "readmission": True}),
        (
            fusion,
            {
                "measured_on": "2027-01-20",
                "ct_bridging": "bridged",
                "opioid_use": False,
                "satisfaction": "satisfied",
                "working": True,
                "revision": False,
            },
        ),
        (rfa, {"measured_on": "2025-09-01", "nrs_back": 4, "eq5d_vas": 65}),
    ]
    for procedure_id, values in entries:
        record_entry(connection, procedure_id, values, actor="nurse", now=NOW, value_set=VALUE_SET)


def _bundle(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        return patient_outcomes_bundle(connection, "P-7")


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def exported(engine: Engine) -> dict[str, Any]:
    with transaction(engine) as connection:
        _fill(connection)
    return _bundle(engine)


def test_the_exported_bundle_and_questionnaires_conform_to_r4b(exported: dict[str, Any]) -> None:
    assert r4b_problems(exported) is None
    holder = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": q} for q in questionnaires()]}
    assert r4b_problems(holder) is None


def test_loinc_codes_are_only_the_verified_pain_and_odi_codes(exported: dict[str, Any]) -> None:
    loinc = {
        c["code"] for o in _resources(exported, "Observation") for c in o["code"]["coding"] if c["system"] == LOINC
    }
    assert loinc == {"72514-3", "97909-6"}
    own = {c["code"] for o in _resources(exported, "Observation") for c in o["code"]["coding"] if c["system"] == OWN}
    assert own <= dict(OWN_CONCEPTS).keys()
    assert {"eq5d-5l-index", "eq5d-vas", "opioid-daily-mme", "ct-bridging", "nrs-back-pain"} <= own
    assert {"satisfaction-with-result", "working", "complication", "revision-surgery", "readmission"} <= own


def test_scores_derived_from_answers_point_at_their_questionnaire_response(exported: dict[str, Any]) -> None:
    responses = {r["id"]: r for r in _resources(exported, "QuestionnaireResponse")}
    assert sorted(r["questionnaire"].split("|")[0] for r in responses.values()) == sorted(
        [QUESTIONNAIRE_ODI, QUESTIONNAIRE_EQ5D, QUESTIONNAIRE_EQ5D]
    )
    odi = next(o for o in _resources(exported, "Observation") if o.get("derivedFrom") and "97909-6" in str(o["code"]))
    answers = responses[odi["derivedFrom"][0]["reference"].split("/")[1]]
    assert [i.get("answer", [{}])[0].get("valueInteger") for i in answers["item"]][:8] == [2, 2, 2, 2, 2, 2, 1, None]
    assert odi["valueQuantity"]["value"] == pytest.approx(16 / 45 * 100)


def test_the_daily_mme_is_exported_as_computed_from_the_medication_list(exported: dict[str, Any]) -> None:
    mme = [o for o in _resources(exported, "Observation") if "opioid-daily-mme" in str(o["code"])]
    assert sorted(o["valueQuantity"]["value"] for o in mme) == [15.0, 45.0]  # 5 mg × 2 × 1.5; 45 as given


def test_export_import_export_gives_the_same_bundle(exported: dict[str, Any], tmp_path: Path) -> None:
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with transaction(other) as connection:
        result = import_outcomes(
            connection, orjson.dumps(exported), "test", actor="import", now=NOW, value_set=VALUE_SET
        )
    assert (result.procedures_added, result.entries_added) == (2, 5)
    assert _bundle(other) == exported
    other.dispose()


def test_importing_the_same_bundle_twice_adds_nothing_the_second_time(exported: dict[str, Any], engine: Engine) -> None:
    with transaction(engine) as connection:
        result = import_outcomes(connection, orjson.dumps(exported), "test", actor="import", now=NOW)
        count = connection.execute(select(func.count()).select_from(outcome_entries)).scalar_one()
    assert (result.procedures_added, result.entries_added, count) == (0, 0, 5)
    assert any("already holds an entry" in i.message for i in result.issues)


def test_an_out_of_range_answer_imports_nothing_and_names_the_resource(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(exported)
    pain = next(o for o in _resources(broken, "Observation") if "nrs-leg-pain" in str(o["code"]))
    pain["valueQuantity"]["value"] = 14
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with pytest.raises(OutcomeEntryError) as caught, transaction(other) as connection:
        import_outcomes(connection, orjson.dumps(broken), "bad.json", actor="import", now=NOW)
    assert "nothing was imported" in caught.value.message
    assert any("nrs_leg" in p.location and "2026-01-02" in p.location for p in caught.value.problems)
    with other.connect() as connection:
        assert connection.execute(select(func.count()).select_from(outcome_entries)).scalar_one() == 0
    other.dispose()


def test_a_pain_score_that_does_not_say_back_or_leg_is_not_guessed(exported: dict[str, Any], tmp_path: Path) -> None:
    bare = copy.deepcopy(exported)
    pain = next(o for o in _resources(bare, "Observation") if "nrs-leg-pain" in str(o["code"]))
    pain["code"]["coding"] = [c for c in pain["code"]["coding"] if c["system"] == LOINC]
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with transaction(other) as connection:
        result = import_outcomes(connection, orjson.dumps(bare), "test", actor="import", now=NOW)
        legs = connection.execute(select(outcome_entries.c.nrs_leg)).scalars().all()
    assert set(legs) == {None}
    assert any(i.location == f"Observation/{pain['id']}" and "not guessed" in i.message for i in result.issues)
    other.dispose()


def _observation(bundle: dict[str, Any], code: str) -> dict[str, Any]:
    return next(o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == code)


def _import_into_new(tmp_path: Path, bundle: dict[str, Any]) -> tuple[Any, list[Any]]:
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    try:
        with transaction(other) as connection:
            result = import_outcomes(connection, orjson.dumps(bundle), "test", actor="import", now=NOW)
        with other.connect() as connection:
            stored = connection.execute(select(outcome_entries).order_by(outcome_entries.c.measured_on)).all()
    finally:
        other.dispose()
    return result, list(stored)


def test_satisfaction_work_and_events_are_exported_with_their_values(exported: dict[str, Any]) -> None:
    satisfaction = _observation(exported, "satisfaction-with-result")
    assert satisfaction["valueCodeableConcept"]["coding"][0]["code"] == "satisfaction-satisfied"
    assert _observation(exported, "working")["valueBoolean"] is True
    assert _observation(exported, "revision-surgery")["valueBoolean"] is False  # a recorded "no" is kept
    assert _observation(exported, "readmission")["valueBoolean"] is True
    assert _observation(exported, "complication")["valueString"] == "wound infection"
    assert all(o["partOf"] for o in _resources(exported, "Observation"))


def _without_event_observations(bundle: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Bundle without the complication and readmission Observations, and the fusion Procedure."""
    trimmed = copy.deepcopy(bundle)
    trimmed["entry"] = [
        e
        for e in trimmed["entry"]
        if e["resource"]["resourceType"] != "Observation"
        or e["resource"]["code"]["coding"][0]["code"] not in ("complication", "readmission")
    ]
    fusion = next(p for p in _resources(trimmed, "Procedure") if "sij-fusion" in str(p["code"]))
    return trimmed, fusion


def test_a_condition_named_as_the_procedures_complication_is_imported_as_a_complication(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    bundle, fusion = _without_event_observations(exported)
    fusion["complicationDetail"] = [{"reference": "Condition/wound"}]
    condition = {
        "resourceType": "Condition",
        "id": "wound",
        "subject": {"reference": "Patient/P-7"},
        "code": {"text": "superficial wound infection"},
        "recordedDate": "2026-02-12",
    }
    unrelated = {**condition, "id": "back-pain", "code": {"text": "low back pain"}}
    bundle["entry"] += [{"fullUrl": f"urn:uuid:{c['id']}", "resource": c} for c in (condition, unrelated)]
    assert r4b_problems(bundle) is None
    result, stored = _import_into_new(tmp_path, bundle)
    assert [(e.measured_on.isoformat(), e.complication) for e in stored if e.complication] == [
        ("2026-02-12", "superficial wound infection")
    ]
    assert result.entries_added == 5


def test_an_encounter_marked_as_a_readmission_for_the_procedure_is_imported_as_a_readmission(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    bundle, fusion = _without_event_observations(exported)
    stay = {
        "resourceType": "Encounter",
        "id": "stay-1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "subject": {"reference": "Patient/P-7"},
        "period": {"start": "2026-02-11T08:00:00Z", "end": "2026-02-14T10:00:00Z"},
        "reasonReference": [{"reference": f"Procedure/{fusion['id']}"}],
        "hospitalization": {
            "reAdmission": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0092", "code": "R"}]}
        },
    }
    cancelled = {**stay, "id": "stay-2", "status": "cancelled", "period": {"start": "2026-03-01"}}
    unlinked = {**stay, "id": "stay-3", "reasonReference": [], "period": {"start": "2026-03-02"}}
    bundle["entry"] += [{"fullUrl": f"urn:uuid:{s['id']}", "resource": s} for s in (stay, cancelled, unlinked)]
    result, stored = _import_into_new(tmp_path, bundle)
    assert [e.measured_on.isoformat() for e in stored if e.readmission] == ["2026-02-11"]
    issues = {i.location: (i.severity, i.message) for i in result.issues}
    assert issues["Encounter/stay-2"][0] == "info"
    assert "did not take place" in issues["Encounter/stay-2"][1]
    assert issues["Encounter/stay-3"][0] == "warning"
    assert "reasonReference" in issues["Encounter/stay-3"][1]


def test_an_unknown_satisfaction_level_imports_nothing_and_names_the_field(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(exported)
    _observation(broken, "satisfaction-with-result")["valueCodeableConcept"] = {
        "coding": [{"system": OWN, "code": "satisfaction-ecstatic"}]
    }
    with pytest.raises(OutcomeEntryError) as caught:
        _import_into_new(tmp_path, broken)
    assert any("satisfaction" in p.location and "2027-01-20" in p.location for p in caught.value.problems)


def test_a_yes_no_event_without_its_boolean_is_a_data_issue_and_the_rest_is_imported(
    exported: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(exported)
    revision = _observation(broken, "revision-surgery")
    del revision["valueBoolean"]
    revision["valueString"] = "no"
    complication = _observation(broken, "complication")
    del complication["valueString"]
    result, stored = _import_into_new(tmp_path, broken)
    assert len(stored) == 5
    assert {e.revision for e in stored} == {None}
    assert {e.readmission for e in stored} == {None, True}  # the complication's day keeps its readmission
    messages = {i.location: i.message for i in result.issues}
    assert "valueBoolean" in messages[f"Observation/{revision['id']}"]
    assert "valueString" in messages[f"Observation/{complication['id']}"]


def test_synthetic_patients_stay_labelled_synthetic_through_export_and_import(engine: Engine, tmp_path: Path) -> None:
    import datetime as dt

    from sijpath.outcomes.fhir_export import SYNTHETIC_LABEL
    from sijpath.outcomes.synthetic import store_synthetic
    from sijpath.store.tables import outcome_procedures

    with transaction(engine) as connection:
        store_synthetic(connection, 1, seed=4, now=NOW, as_of=dt.date(2026, 11, 1))
    with engine.connect() as connection:
        bundle = patient_outcomes_bundle(connection, "SYN-000000")
    assert bundle["entry"]
    assert all(e["resource"]["meta"]["security"] == [SYNTHETIC_LABEL] for e in bundle["entry"])
    assert r4b_problems(bundle) is None
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with transaction(other) as connection:
        import_outcomes(connection, orjson.dumps(bundle), "test", actor="import", now=NOW)
    with other.connect() as connection:
        assert connection.execute(select(outcome_procedures.c.synthetic)).scalars().all() == [True]
        assert patient_outcomes_bundle(connection, "SYN-000000") == bundle
    other.dispose()
