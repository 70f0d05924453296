"""The test EHR exercises every hook with full, partial, null, absent and error prefetch, signing with ES384 and
RS384, with and without a fhirServer to fall back on; and the FHIR server failing in each way it can."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cdshooks.ehr import Ehr, FakeFhir, Record, hook_request, order
from tests.cdshooks.shapes import policy

HOOKS = [
    ("sij-pathway", "patient-view"),
    ("sij-procedure-order", "order-select"),
    ("sij-procedure-order", "order-sign"),
]
MODES = {
    "full": (),
    "partial": ("procedures", "observations", "medicationAdministrations"),
    "null": (),
    "absent": (),
    "error": ("procedures", "diagnosticReports"),
}


def request(hook: str, record: Record, mode: str, *, fhir: bool) -> dict[str, Any]:
    prefetch = record.prefetch(mode, keys=MODES[mode])
    if hook == "patient-view":
        return hook_request(hook, record.patient_id, prefetch, fhir=fhir)
    orders = [
        order("27279", record.patient_id, "fusion-1", side=record.pain_side),
        order("97110", record.patient_id, "pt-1"),
    ]
    selections = ["ServiceRequest/fusion-1"] if hook == "order-select" else None
    return hook_request(hook, record.patient_id, prefetch, fhir=fhir, draft_orders=orders, selections=selections)


@pytest.mark.parametrize(("service_id", "hook"), HOOKS)
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("with_server", [False, True], ids=["no-fhir-server", "fhir-server"])
@pytest.mark.parametrize("signer", ["ES384", "RS384"])
def test_every_hook_with_every_kind_of_prefetch(
    ehr: Ehr, ehr_rs: Ehr, fhir: FakeFhir, service_id: str, hook: str, mode: str, with_server: bool, signer: str
) -> None:
    client = ehr if signer == "ES384" else ehr_rs
    record = fhir.add(Record.example("fusion-candidate"))
    complete = client.call(service_id, request(hook, record, "full", fhir=False))
    assert complete.status_code == 200
    fhir.seen.clear()

    response = client.call(service_id, request(hook, record, mode, fhir=with_server))

    if mode in ("full", "null"):
        assert response.status_code == 200
        assert fhir.seen == []  # what was sent is used as sent; null is no data, not a reason to fetch
    elif not with_server:
        assert response.status_code == 412
        assert response.json()["resourceType"] == "OperationOutcome"
        return
    else:
        assert response.status_code == 200
        assert fhir.seen, "the missing keys were fetched"
        assert all(r.headers["authorization"].startswith("Bearer ") for r in fhir.seen)
    cards = response.json()["cards"]
    # One card: the pathway of the painful joint, or the fusion order (the physical-therapy order gets none). With
    # null prefetch no clinical data arrived: one card says so, and names no step.
    assert len(cards) == 1
    assert policy(cards[0]) == []
    if mode == "null":
        assert "no patient data received" in cards[0]["summary"]
    else:
        assert [c["detail"] for c in cards] == [c["detail"] for c in complete.json()["cards"]]


@pytest.mark.parametrize("failure", [500, 401, 403, "timeout"])
def test_a_fhir_server_that_fails_means_412_naming_the_key(ehr: Ehr, fhir: FakeFhir, failure: int | str) -> None:
    record = fhir.add(Record.example("rfa-candidate"))
    fhir.fail["Procedure"] = failure
    body = hook_request("patient-view", record.patient_id, record.prefetch("partial", keys=["procedures"]), fhir=True)

    response = ehr.call("sij-pathway", body)

    assert response.status_code == 412
    assert "`procedures`" in response.json()["issue"][0]["diagnostics"]


def test_a_patient_the_fhir_server_does_not_have_is_assessed_on_the_rest_with_the_gap_reported(
    ehr: Ehr, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("rfa-candidate"))
    fhir.records[record.patient_id] = Record(
        record.patient_id, [r for r in record.resources if r["resourceType"] != "Patient"]
    )
    body = hook_request("patient-view", record.patient_id, record.prefetch("partial", keys=["patient"]), fhir=True)

    response = ehr.call("sij-pathway", body)

    assert response.status_code == 200
    assert "radiofrequency" in response.json()["cards"][0]["summary"].lower()


def test_the_token_never_goes_to_a_next_link_outside_the_fhir_server(ehr: Ehr, fhir: FakeFhir) -> None:
    record = fhir.add(Record.example("rfa-candidate"))
    prefetch = record.prefetch()
    prefetch["procedures"]["link"] = [
        {"relation": "next", "url": "https://elsewhere.example.org/fhir/Procedure?page=2"}
    ]

    response = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, prefetch, fhir=True))

    assert response.status_code == 412
    assert fhir.seen == []


def test_prefetch_for_another_patient_is_not_read_as_this_patients(ehr: Ehr) -> None:
    mine = Record.example("new-referral")
    other = Record.example("fusion-candidate")
    prefetch = mine.prefetch()
    prefetch["procedures"]["entry"] += other.prefetch()["procedures"]["entry"]

    response = ehr.call("sij-pathway", hook_request("patient-view", mine.patient_id, prefetch))

    assert response.status_code == 200
    assert "diagnostic SI-joint block" in response.json()["cards"][0]["summary"]


def test_a_draft_orders_bundle_without_type_and_with_a_collection_type_are_both_read(ehr: Ehr) -> None:
    record = Record.example("new-referral")
    answers = []
    for bundle_type in (None, "collection"):
        body = hook_request(
            "order-sign",
            record.patient_id,
            record.prefetch(),
            draft_orders=[order("27279", record.patient_id, side=record.pain_side)],
            bundle_type=bundle_type,
        )
        response = ehr.call("sij-procedure-order", body)
        assert response.status_code == 200
        answers.append([c["summary"] for c in response.json()["cards"]])
    assert answers[0] == answers[1] != []
