"""The CDS Hooks acceptance checklist, CH-01 … CH-20 (../shared/reference/interop-anchors.md §1.11), one test each
(CH-15 and CH-16 in test_security.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import Engine, select
from starlette.testclient import TestClient

from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.discovery import PREFETCH
from sijpath.cdshooks.service import CdsService
from sijpath.store.tables import audit_log, cds_feedback
from tests.cdshooks.ehr import (
    EXAMPLES,
    FHIR_BASE,
    TOKEN,
    Ehr,
    FakeFhir,
    Record,
    SigningKey,
    hook_request,
    order,
    searchset,
)
from tests.cdshooks.shapes import DISCOVERY, RESPONSE, no_empty_values, policy, problems

ALL_EXAMPLES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
SI_CODES = ("27096", "G0260", "64451", "64625", "27279", "27280", "27278")


def every_card(ehr: Ehr) -> list[dict[str, Any]]:
    """The cards of both services for every example patient (each SI-joint procedure ordered on order-sign)."""
    cards = []
    for name in ALL_EXAMPLES:
        record = Record.example(name)
        pathway = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, record.prefetch()))
        assert pathway.status_code == 200, pathway.text
        cards += pathway.json()["cards"]
        orders = [order(code, record.patient_id, f"sr-{code}", side=record.pain_side) for code in SI_CODES]
        body = hook_request("order-sign", record.patient_id, record.prefetch(), draft_orders=orders)
        response = ehr.call("sij-procedure-order", body)
        assert response.status_code == 200, response.text
        assert len(response.json()["cards"]) == len(SI_CODES)
        cards += response.json()["cards"]
    return cards


@pytest.fixture
def cards(ehr: Ehr) -> list[dict[str, Any]]:
    return every_card(ehr)


def test_ch01_discovery_lists_each_service_with_hook_id_description_and_string_prefetch(ehr: Ehr) -> None:
    response = ehr.discover()

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert problems(document, DISCOVERY) == []
    assert no_empty_values(document) == []
    listed = {(s["id"], s["hook"]) for s in document["services"]}
    assert listed == {
        ("sij-pathway", "patient-view"),
        ("sij-procedure-order", "order-select"),
        ("sij-procedure-order", "order-sign"),
    }
    for service in document["services"]:
        assert all(isinstance(v, str) and v for v in service["prefetch"].values())


def test_ch02_prefetch_templates_use_only_spec_tokens_and_parse_as_read_or_type_search() -> None:
    allowed_tokens = {"context.patientId", "context.userId", "context.encounterId"}
    allowed_tokens |= {"userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId"}
    for template in PREFETCH.values():
        tokens = set(re.findall(r"\{\{\s*([^}]+?)\s*\}\}", template))
        assert tokens <= allowed_tokens, template
        query = re.sub(r"\{\{[^}]+\}\}", "x", template)
        path, _, search = query.partition("?")
        assert re.fullmatch(r"[A-Z][A-Za-z]+(/x)?", path), template
        if search:
            assert "/" not in path
            for name, _value in parse_qsl(search, strict_parsing=True):
                assert re.fullmatch(r"(_count|_sort|_id|[a-z][a-zA-Z-]*)(:in)?", name), template
        else:
            assert path.endswith("/x")


def test_ch03_a_minimal_request_without_prefetch_or_fhir_server_is_412_with_an_operation_outcome(ehr: Ehr) -> None:
    body = {
        "hook": "patient-view",
        "hookInstance": "f0d9c2a1",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
    }

    response = ehr.call("sij-pathway", body)

    assert response.status_code == 412
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "no fhirServer" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("missing", ["hook", "hookInstance", "context"])
def test_ch04_a_request_missing_a_required_field_is_400_with_an_operation_outcome(ehr: Ehr, missing: str) -> None:
    body = hook_request("patient-view", "p1", Record.example("new-referral").prefetch())
    del body[missing]

    response = ehr.call("sij-pathway", body)

    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [missing] in [issue.get("expression") for issue in outcome["issue"]]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"hook": 7, "hookInstance": "x", "context": {}}',
        b'{"hook": "patient-view", "hookInstance": "x", "context": []}',
        b'{"hook": "patient-view", "hookInstance": "x", "context": '
        b'{"patientId": "p1"}, "prefetch": {"procedures": "Procedure?patient=1"}}',
    ],
    ids=["empty", "not-json", "array", "hook-not-string", "context-not-object", "prefetch-value-a-string"],
)
def test_ch04_malformed_bodies_are_400_never_404_or_500(ehr: Ehr, body: bytes) -> None:
    response = ehr.call("sij-pathway", body)

    assert response.status_code == 400, response.text
    assert response.json()["resourceType"] == "OperationOutcome"


def test_ch05_null_is_no_data_absent_is_fetched_or_412_and_an_operation_outcome_is_an_error(
    ehr: Ehr, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("fusion-candidate"))
    pid = record.patient_id

    nulls = ehr.call("sij-pathway", hook_request("patient-view", pid, record.prefetch("null")))
    assert nulls.status_code == 200
    assert nulls.json()["cards"][0]["summary"] == "SI-joint pathway: no patient data received, nothing assessed"
    assert fhir.seen == []  # null means no data: nothing is fetched

    partial = record.prefetch("partial", keys=["procedures", "medicationAdministrations"])
    assert ehr.call("sij-pathway", hook_request("patient-view", pid, partial)).status_code == 412
    fetched = ehr.call("sij-pathway", hook_request("patient-view", pid, partial, fhir=True))
    assert fetched.status_code == 200
    assert {urlsplit(str(r.url)).path.rsplit("/", 1)[-1] for r in fhir.seen} == {
        "Procedure",
        "MedicationAdministration",
    }
    full = ehr.call("sij-pathway", hook_request("patient-view", pid, record.prefetch()))
    assert fetched.json()["cards"][0]["summary"] == full.json()["cards"][0]["summary"]

    errors = record.prefetch("error", keys=["procedures"])
    assert ehr.call("sij-pathway", hook_request("patient-view", pid, errors)).status_code == 412
    recovered = ehr.call("sij-pathway", hook_request("patient-view", pid, errors, fhir=True))
    assert recovered.status_code == 200
    assert recovered.json()["cards"][0]["summary"] == full.json()["cards"][0]["summary"]


def test_ch06_a_prefetch_bundle_with_a_next_link_is_followed_to_its_last_page(ehr: Ehr, fhir: FakeFhir) -> None:
    record = fhir.add(Record.example("fusion-candidate"))
    fhir.page_size = 2
    prefetch = record.prefetch()
    procedures = record.of_key("procedures")
    rest = f"{FHIR_BASE}/Procedure?patient={record.patient_id}&_offset=2"
    prefetch["procedures"] = searchset(procedures[:2], rest)

    paged = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, prefetch, fhir=True))
    whole = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, record.prefetch()))

    assert paged.status_code == 200
    assert len(fhir.seen) == (len(procedures) - 1) // 2  # every page after the first, no more
    assert paged.json()["cards"][0]["detail"] == whole.json()["cards"][0]["detail"]
    no_server = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, prefetch))
    assert no_server.status_code == 412  # the rest cannot be read: never assessed on part of the record


def test_ch07_cards_are_always_present_with_short_summary_indicator_and_source_and_no_empty_system_actions(
    ehr: Ehr, cards: list[dict[str, Any]]
) -> None:
    response = ehr.call("sij-procedure-order", hook_request("order-sign", "p1", None, draft_orders=[]))
    assert response.json() == {"cards": []}
    for card in cards:
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"].startswith("sijpath")
    assert problems({"cards": cards}, RESPONSE) == []


def test_ch08_every_card_and_every_suggestion_has_a_uuid(cards: list[dict[str, Any]]) -> None:
    suggestions = [s for c in cards for s in c.get("suggestions", ())]
    assert suggestions, "no example produced a suggestion"
    assert all(c.get("uuid") for c in cards)
    assert all(s.get("uuid") for s in suggestions)
    assert len({c["uuid"] for c in cards}) == len(cards)


def test_ch09_suggestions_come_with_selection_behavior_and_at_most_one_recommended(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        if "suggestions" in card:
            assert card["selectionBehavior"] in ("at-most-one", "any")
            assert sum(1 for s in card["suggestions"] if s.get("isRecommended")) <= 1


def test_ch10_suggestion_actions_have_a_type_a_description_and_a_resource_or_resource_id(
    cards: list[dict[str, Any]],
) -> None:
    actions = [a for c in cards for s in c.get("suggestions", ()) for a in s["actions"]]
    assert {a["type"] for a in actions} == {"delete", "create"}
    for action in actions:
        assert action["description"]
        if action["type"] == "delete":
            assert re.fullmatch(r"ServiceRequest/[\w\-.]+", action["resourceId"])
            assert "resource" not in action
        else:
            assert action["resource"]["resourceType"] == "ServiceRequest"


def test_ch11_links_are_absolute_with_absolute_urls_and_none_claims_a_smart_launch(
    cards: list[dict[str, Any]],
) -> None:
    links = [link for card in cards for link in card.get("links", ())]
    assert links
    assert {link["type"] for link in links} == {"absolute"}  # the web app takes no part in a SMART launch
    for link in links:
        assert re.match(r"https://[^/\s]+/", link["url"])
        assert "appContext" not in link


def test_ch12_override_reasons_are_coded_with_system_code_and_display(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        assert card["overrideReasons"]
        for reason in card["overrideReasons"]:
            assert reason["system"].startswith(("http://terminology.hl7.org/", "https://sijpath.org/"))
            assert reason["code"]
            assert reason["display"]


def test_ch13_detail_is_markdown_without_raw_html_and_says_sijpath_does_not_decide(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        assert policy(card) == [], card["summary"]


def test_ch14_feedback_accepted_and_overridden_is_stored_once_and_invalid_outcomes_are_400(
    ehr: Ehr, engine: Engine
) -> None:
    card = "9368d37b-283f-44a0-93ea-547cebab93ed"
    items = [
        {
            "card": card,
            "outcome": "accepted",
            "acceptedSuggestions": [{"id": "s-1"}],
            "outcomeTimestamp": "2026-11-01T09:00:00Z",
        },
        {"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:01:00Z"},
        {
            "card": card,
            "outcome": "overridden",
            "overrideReason": {"reason": {"system": "https://example.com/r", "code": "d7ecf885"}, "userComment": "no"},
            "outcomeTimestamp": "2026-11-01T09:02:00Z",
        },
        {
            "card": card,
            "outcome": "overridden",
            "overrideReason": {"userComment": "later"},
            "outcomeTimestamp": "2026-11-01T09:03:00.000Z",
        },
    ]

    assert ehr.feedback("sij-pathway", items).status_code == 200
    assert ehr.feedback("sij-pathway", items).status_code == 200  # a repeat changes nothing

    with engine.connect() as connection:
        rows = connection.execute(
            select(cds_feedback.c.outcome, cds_feedback.c.detail).where(cds_feedback.c.card_uuid == card)
        ).all()
    assert sorted(r.outcome for r in rows) == ["accepted", "overridden", "overridden", "overridden"]
    bad = {"card": card, "outcome": "ignored", "outcomeTimestamp": "2026-11-01T09:00:00Z"}
    assert ehr.feedback("sij-pathway", [bad]).status_code == 400
    unlisted = {"card": card, "outcome": "accepted", "outcomeTimestamp": "2026-11-01T09:00:00Z"}
    response = ehr.feedback("sij-pathway", [unlisted])
    assert response.status_code == 400
    assert "acceptedSuggestions" in response.text


def test_ch17_the_fhir_access_token_and_patient_data_never_reach_the_logs(
    ehr: Ehr, fhir: FakeFhir, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    record = fhir.add(Record.example("fusion-candidate"))
    partial = record.prefetch("partial", keys=["procedures", "observations"])

    assert (
        ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, partial, fhir=True)).status_code == 200
    )
    fhir.fail["Procedure"] = 500
    assert (
        ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, partial, fhir=True)).status_code == 412
    )
    assert ehr.call("sij-pathway", {"hook": 1, "fhirAuthorization": {"access_token": TOKEN}}).status_code == 400
    ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, partial, fhir=True), headers={})

    assert any(r.name.startswith("sijpath") for r in caplog.records)
    assert TOKEN not in caplog.text
    assert record.patient_id not in caplog.text
    assert "Bearer" not in caplog.text


def test_ch18_patient_view_with_a_full_prefetch_is_answered_without_a_call_to_the_fhir_server(
    ehr: Ehr, fhir: FakeFhir
) -> None:
    # CH-18's latency figure (p95 < 500 ms) is measured by benchmarks/cdshooks_load.py, never asserted in a test;
    # what a test can hold is its precondition: a full prefetch costs no round trip to the EHR.
    record = fhir.add(Record.example("fusion-candidate"))
    body = hook_request("patient-view", record.patient_id, record.prefetch(), fhir=True)

    response = ehr.call("sij-pathway", body)

    assert response.status_code == 200
    assert response.json()["cards"]
    assert [r for r in fhir.seen if str(r.url).startswith(FHIR_BASE)] == []


def test_ch19_the_hook_instance_is_audited_and_a_repeated_call_gives_the_same_cards(ehr: Ehr, engine: Engine) -> None:
    record = Record.example("rfa-candidate")
    body = hook_request("patient-view", record.patient_id, record.prefetch())

    first, second = ehr.call("sij-pathway", body), ehr.call("sij-pathway", body)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log).where(audit_log.c.action == "cds-hooks")).all()
    assert len(rows) == 2
    for row in rows:
        assert f"hookInstance={body['hookInstance']}" in row.detail
        assert row.patient_id == record.patient_id
        assert row.actor.startswith("cds:https://ehr-es.example.org/")
        assert first.json()["cards"][0]["uuid"] in row.detail


def test_ch20_discovery_names_the_spec_version_and_unknown_request_fields_are_ignored(
    ehr: Ehr, make_service: Any, es_key: Any
) -> None:
    assert {s["version"] for s in ehr.discover().json()["services"]} == {"2.0.1"}
    with TestClient(create_cds_app(make_service(cds_spec_version="3.0.0"))) as other:
        assert {s["version"] for s in Ehr(other, ehr.issuer, es_key).discover().json()["services"]} == {"3.0.0"}

    record = Record.example("fusion-candidate")
    plain = hook_request("patient-view", record.patient_id, record.prefetch())
    extended = {
        **plain,
        "hookInstance": plain["hookInstance"],
        "extension": {"com.example.timestamp": "2017-11-27T22:13:25Z"},
        "context": {**plain["context"], "appointments": {"resourceType": "Bundle"}, "newField": [1, 2]},
        "unknownTopLevel": {"nested": True},
    }
    assert ehr.call("sij-pathway", extended).content == ehr.call("sij-pathway", plain).content


def test_the_access_token_is_not_sent_to_a_plain_http_fhir_server(
    make_service: Callable[..., CdsService], es_key: SigningKey, ehr: Ehr, fhir: FakeFhir
) -> None:
    record = fhir.add(Record.example("new-referral"))
    body = hook_request("patient-view", record.patient_id, None, fhir=True)
    body["fhirServer"] = "http://ehr.example.org/fhir"

    with TestClient(create_cds_app(make_service(cds_allow_http_fhir_server=False))) as client:
        response = Ehr(client, ehr.issuer, es_key).call("sij-pathway", body)

    assert response.status_code == 412
    assert "https" in response.text
    assert fhir.seen == []
