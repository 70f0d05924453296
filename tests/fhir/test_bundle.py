"""Bundles in: which documents are refused and how, references, grouping by patient, and large Bundles."""

from __future__ import annotations

from typing import Any

import pytest

from sijpath.errors import FhirDocumentError, UnreadableInputError
from sijpath.fhir.bundle import import_bundle, parse_bundle, reference_key
from tests.fhir.records import bundle, dumps, injection, issues_at, pain_score, patient

ORIGIN = "record.json"


def test_invalid_json_is_unreadable_input_naming_the_origin() -> None:
    with pytest.raises(UnreadableInputError, match=r"^record\.json: not valid JSON \("):
        import_bundle(b'{"resourceType": "Bundle", ', ORIGIN)


@pytest.mark.parametrize("document", [{"patient": {"id": "p"}}, [{"resourceType": "Bundle"}], "Bundle", 3])
def test_json_that_is_not_a_fhir_resource_is_refused_as_not_fhir(document: object) -> None:
    with pytest.raises(FhirDocumentError) as caught:
        import_bundle(dumps(document), ORIGIN)
    assert str(caught.value) == "record.json: not a FHIR resource (no `resourceType` at the top level)"


def test_a_fhir_resource_that_is_not_a_bundle_is_refused_naming_its_type() -> None:
    with pytest.raises(FhirDocumentError) as caught:
        import_bundle(dumps(patient()), ORIGIN)
    assert str(caught.value) == (
        "record.json: a FHIR Patient resource, not a Bundle; give a Bundle of the patient's resources, "
        "or an NDJSON folder"
    )


@pytest.mark.parametrize("kind", ["history", "message", "transaction-response", None])
def test_an_unsupported_bundle_type_is_refused_listing_the_types_read(kind: str | None) -> None:
    document: dict[str, Any] = bundle(patient(), kind="x")
    document["type"] = kind
    with pytest.raises(FhirDocumentError) as caught:
        import_bundle(dumps(document), ORIGIN)
    assert str(caught.value) == (
        f"record.json: Bundle.type {kind!r} is not one sijpath reads "
        "(collection, searchset, transaction, document, batch)"
    )


@pytest.mark.parametrize("entry", [{"fullUrl": "urn:uuid:1"}, {"resource": {"id": "x"}}, {"resource": []}, "text"])
def test_an_entry_without_a_resource_is_refused_naming_its_index(entry: object) -> None:
    document = bundle(patient())
    document["entry"].append(entry)
    with pytest.raises(FhirDocumentError) as caught:
        import_bundle(dumps(document), ORIGIN)
    assert str(caught.value) == "record.json: Bundle.entry[1] holds no resource (an object with resourceType)"


def test_bundle_entry_that_is_not_a_list_is_refused() -> None:
    document = {"resourceType": "Bundle", "type": "collection", "entry": {"resource": patient()}}
    with pytest.raises(FhirDocumentError, match=r"^record\.json: Bundle\.entry must be a list, not dict$"):
        import_bundle(dumps(document), ORIGIN)


def test_a_bundle_without_entries_holds_no_patient() -> None:
    assert import_bundle(dumps({"resourceType": "Bundle", "type": "collection"})) == {}


def test_a_transaction_delete_entry_has_no_resource_and_is_passed_over() -> None:
    document = bundle(patient(), pain_score("o1"), kind="transaction")
    document["entry"].append({"request": {"method": "DELETE", "url": "Observation/o9"}})
    (imported,) = import_bundle(dumps(document)).values()
    assert [p.id for p in imported.episode.pain_scores] == ["Observation/o1"]


def test_a_search_outcome_entry_is_passed_over() -> None:
    document = bundle(patient(), pain_score("o1"), kind="searchset")
    document["entry"][1]["search"] = {"mode": "outcome"}
    (imported,) = import_bundle(dumps(document)).values()
    assert imported.episode.pain_scores == ()


@pytest.mark.parametrize(("element", "value"), [("search", "match"), ("search", 1), ("request", ["POST"])])
def test_entry_search_or_request_that_is_not_an_object_is_ignored_not_a_crash(element: str, value: object) -> None:
    document = bundle(patient(), pain_score("o1"), kind="searchset")
    document["entry"][1][element] = value
    document["entry"].append({element: value, "resource": pain_score("o2")})
    (imported,) = import_bundle(dumps(document)).values()
    assert [p.id for p in imported.episode.pain_scores] == ["Observation/o1", "Observation/o2"]


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("Procedure/blk-1", "Procedure/blk-1"),
        ("https://ehr.example.org/fhir/R4/Procedure/blk-1", "Procedure/blk-1"),
        ("https://ehr.example.org/fhir/R4/Procedure/blk-1/_history/3", "Procedure/blk-1"),
        ("urn:uuid:0b6b1e2e-7e7e-4f5a-9d5a-1c2b3c4d5e6f", None),
        ("#contained-1", None),
        ("Procedure/has space", None),
    ],
)
def test_reference_key_reads_relative_and_absolute_restful_references_only(reference: str, key: str | None) -> None:
    assert reference_key(reference) == key


def test_references_resolve_through_full_urls_of_any_form() -> None:
    document = bundle(patient(), injection("inj-1"), pain_score("o1"))
    document["entry"][0]["fullUrl"] = "urn:uuid:4f1c0a52-0d54-4c5e-9b9b-7b1f0a0d9e11"
    document["entry"][1]["fullUrl"] = "https://ehr.example.org/fhir/Procedure/inj-1"
    document["entry"][1]["resource"]["subject"] = {"reference": "urn:uuid:4f1c0a52-0d54-4c5e-9b9b-7b1f0a0d9e11"}
    document["entry"][2]["resource"]["partOf"] = [{"reference": "https://ehr.example.org/fhir/Procedure/inj-1"}]
    document["entry"][2]["resource"]["effectiveDateTime"] = "2025-01-09"
    (imported,) = import_bundle(dumps(document)).values()
    (shot,) = imported.episode.therapeutic_injections
    assert (shot.id, shot.pre_injection_nrs) == ("Procedure/inj-1", 5.0)


def test_several_patients_in_one_bundle_are_each_imported_with_their_own_facts() -> None:
    document = bundle(
        patient("ann", gender="female"),
        patient("bob", gender="male"),
        pain_score("o1", pid="bob", nrs=3.0),
        pain_score("o2", pid="ann", nrs=6.0),
        pain_score("o3", pid="cy", nrs=8.0),
    )
    imported = import_bundle(dumps(document))
    assert list(imported) == ["ann", "bob", "cy"]
    assert {pid: [p.nrs for p in i.episode.pain_scores] for pid, i in imported.items()} == {
        "ann": [6.0],
        "bob": [3.0],
        "cy": [8.0],
    }
    assert [imported[p].episode.patient.sex for p in imported] == ["female", "male", "unknown"]
    assert issues_at(imported["cy"].issues, "Patient/cy") == ["info: no Patient resource: birth date and sex unknown"]
    assert imported["ann"].issues == ()


def test_parse_bundle_groups_resources_by_patient_in_record_order() -> None:
    groups = parse_bundle(dumps(bundle(pain_score("o1", pid="b"), patient("a"), pain_score("o2", pid="a"))))
    assert {pid: [r["id"] for r in rs] for pid, rs in groups.patients.items()} == {"b": ["o1"], "a": ["a", "o2"]}
    assert groups.absent_patients == {"b"}


@pytest.mark.parametrize("bad_id", ["", "x" * 200, "has space"])
def test_a_patient_whose_id_is_not_a_fhir_id_is_not_taken_for_a_patient(bad_id: str) -> None:
    document = bundle(patient(bad_id), pain_score("o1"), patient())
    document["entry"][0]["fullUrl"] = "urn:uuid:2b0c1f0e-1111-4222-8333-944455556666"
    lost = pain_score("o2", subject={"reference": "urn:uuid:2b0c1f0e-1111-4222-8333-944455556666"})
    document["entry"].append({"resource": lost})
    imported = import_bundle(dumps(document))
    assert list(imported) == ["p1"]
    (record_issue,) = [i for i in imported["p1"].issues if i.location == "record"]
    assert record_issue.message.startswith("2 resource(s) name no patient this record holds (")
    assert "Observation/o2" in record_issue.message


def test_a_bundle_of_100000_entries_imports_every_patients_scores() -> None:
    patients = ["p0", "p1", "p2"]
    entries: list[dict[str, Any]] = [{"resource": patient(p)} for p in patients]
    for n in range(100_000 - len(patients)):
        score = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
            "subject": {"reference": f"Patient/p{n % 3}"},
            "effectiveDateTime": f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "valueInteger": n % 11,
        }
        entries.append({"resource": score})
    data = dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})
    del entries
    imported = import_bundle(data)
    assert {p: len(i.episode.pain_scores) for p, i in imported.items()} == {"p0": 33333, "p1": 33332, "p2": 33332}
    assert all(i.issues == () for i in imported.values())
    last = imported["p0"].episode.pain_scores[-1]  # n = 99,996
    assert (last.id, last.nrs) == ("Observation #33334", 6.0)


def test_a_key_given_twice_in_a_bundle_is_refused_naming_it() -> None:
    patient = b'{"resourceType": "Patient", "id": "a", "id": "b"}'
    text = b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": ' + patient + b"}]}"
    with pytest.raises(FhirDocumentError) as caught:
        parse_bundle(text, ORIGIN)
    assert [p.location for p in caught.value.problems] == ["entry[0].resource.id"]
