"""Feedback: stored durably and once (SQLite and PostgreSQL), audited, and reported per service and rule set."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from sijpath import wiring
from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.report import feedback_report
from sijpath.cdshooks.service import create_service
from sijpath.cli import main
from sijpath.store.database import connect, transaction, upgrade
from sijpath.store.feedback import IssuedCard, Outcome, issued_counts, outcomes, record_issued, record_outcomes
from sijpath.store.tables import audit_log
from tests.cdshooks.conftest import ISSUER_ES
from tests.cdshooks.ehr import Ehr, Record, hook_request, order

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AT = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
OURS = "https://sijpath.org/fhir/CodeSystem/override-reason"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An upgraded database of each backend (PostgreSQL skipped when not reachable)."""
    if request.param == "sqlite":
        engine = connect(f"sqlite:///{tmp_path / 'feedback.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    admin = create_engine(POSTGRES)
    try:
        with admin.connect():
            pass
    except OperationalError:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = connect(f"{POSTGRES}?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_cards_and_outcomes_are_stored_once_under_the_rule_set_the_card_was_issued_with(store: Engine) -> None:
    card = IssuedCard("card-1", {"hookInstance": "h-1", "suggestions": ["s-1"]})
    accepted = Outcome("card-1", "accepted", "2026-11-01T09:00:00.000000Z", {"acceptedSuggestions": ["s-1"]})
    stranger = Outcome("card-x", "overridden", "2026-11-01T09:05:00.000000Z", {})

    for _ in range(2):
        with transaction(store) as connection:
            record_issued(connection, service_id="svc", ruleset_id="source-articles", cards=[card], at=AT)
            stored = record_outcomes(connection, service_id="svc", items=[accepted, stranger], at=AT)
        assert stored == (2 if _ == 0 else 0)

    with store.connect() as connection:
        assert issued_counts(connection) == [("svc", "source-articles", 1)]
        rows = outcomes(connection)
    assert [(r.card_uuid, r.outcome, r.ruleset_id) for r in rows] == [
        ("card-1", "accepted", "source-articles"),
        ("card-x", "overridden", None),
    ]
    assert rows[0].detail == {"acceptedSuggestions": ["s-1"]}


def issue_cards(ehr: Ehr) -> tuple[dict[str, Any], dict[str, Any]]:
    record = Record.example("new-referral")
    pathway = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, record.prefetch()))
    body = hook_request(
        "order-sign", record.patient_id, record.prefetch(), draft_orders=[order("27279", "new-referral", side="right")]
    )
    ordered = ehr.call("sij-procedure-order", body)
    return pathway.json()["cards"][0], ordered.json()["cards"][0]


def test_the_report_counts_cards_outcomes_and_reasons_per_service_and_rule_set(ehr: Ehr, engine: Engine) -> None:
    pathway_card, order_card = issue_cards(ehr)
    suggestion = order_card["suggestions"][0]["uuid"]
    reason = {"system": OURS, "code": "documented-elsewhere"}  # no display: real clients leave it out
    assert (
        ehr.feedback(
            "sij-procedure-order",
            [
                {
                    "card": order_card["uuid"],
                    "outcome": "accepted",
                    "acceptedSuggestions": [{"id": suggestion}],
                    "outcomeTimestamp": "2026-11-01T09:10:00Z",
                },
                {
                    "card": order_card["uuid"],
                    "outcome": "overridden",
                    "overrideReason": {"reason": reason, "userComment": "block done at another clinic"},
                    "outcomeTimestamp": "2026-11-01T09:11:00Z",
                },
            ],
        ).status_code
        == 200
    )
    assert (
        ehr.feedback(
            "sij-pathway",
            [
                {
                    "card": pathway_card["uuid"],
                    "outcome": "overridden",
                    "outcomeTimestamp": "2026-11-01T09:12:00+00:00",
                },
                {"card": pathway_card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:12:00.000Z"},
                {"card": "never-issued", "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:13:00Z"},
            ],
        ).status_code
        == 200
    )

    report = feedback_report(engine)

    assert report["format"] == "sijpath-cds-feedback-report/1"
    by_key = {(g["service"], g["ruleset"]): g for g in report["services"]}
    assert set(by_key) == {
        ("sij-pathway", "source-articles"),
        ("sij-pathway", None),
        ("sij-procedure-order", "source-articles"),
    }
    order_group = by_key[("sij-procedure-order", "source-articles")]
    assert order_group["cards_issued"] == 1
    assert (order_group["accepted"], order_group["overridden"], order_group["acceptance_rate"]) == (1, 1, 0.5)
    assert order_group["suggestions_accepted"] == 1
    assert order_group["comments"] == 1
    assert order_group["override_reasons"] == [
        {
            "system": OURS,
            "code": "documented-elsewhere",
            "display": "Criteria are documented outside the record sent",
            "count": 1,
        }
    ]
    pathway_group = by_key[("sij-pathway", "source-articles")]
    assert pathway_group["overridden"] == 1  # the same instant written two ways is one outcome
    assert pathway_group["override_reasons"][0]["display"] == "no reason given"
    with engine.connect() as connection:
        audited = connection.execute(select(audit_log.c.detail).where(audit_log.c.action == "cds-feedback")).all()
    assert len(audited) == 2


def test_feedback_to_an_unknown_service_is_404_and_a_malformed_body_400(ehr: Ehr) -> None:
    item = [{"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:00:00Z"}]

    unknown = ehr.feedback("no-such-service", item)
    assert unknown.status_code == 404
    assert unknown.json()["resourceType"] == "OperationOutcome"
    assert ehr.feedback("sij-pathway", {"feedback": "yes"}).status_code == 400
    assert ehr.feedback("sij-pathway", [{"card": "c", "outcome": "overridden"}]).status_code == 400


def test_the_feedback_report_on_the_command_line_as_json_and_text(
    ehr: Ehr, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("SIJPATH_DATA_DIR", "SIJPATH_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    _, order_card = issue_cards(ehr)
    reason = {"system": OURS, "code": "clinical-judgment"}
    item = {"card": order_card["uuid"], "outcome": "overridden", "overrideReason": {"reason": reason}}
    assert (
        ehr.feedback("sij-procedure-order", [{**item, "outcomeTimestamp": "2026-11-01T09:00:00Z"}]).status_code == 200
    )

    assert main(["cds", "feedback-report", "--data-dir", str(tmp_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [group] = [g for g in report["services"] if g["service"] == "sij-procedure-order"]
    assert group["override_reasons"][0]["display"] == "Clinical judgment for this patient"

    assert main(["cds", "feedback-report", "--data-dir", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "sij-procedure-order" in shown
    assert "Clinical judgment for this patient [clinical-judgment]" in shown


def test_on_a_network_database_calls_and_feedback_are_written_by_the_writer_thread(
    store: Engine, make_settings: Any, es_key: Any
) -> None:
    service = create_service(make_settings(), store, wiring.load_ruleset, lambda: AT)
    with TestClient(create_cds_app(service)) as client:
        ehr = Ehr(client, ISSUER_ES, es_key)
        pathway_card, _ = issue_cards(ehr)
        item = {"card": pathway_card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-01T09:00:00Z"}
        assert ehr.feedback("sij-pathway", [item]).status_code == 200

    [group] = [g for g in feedback_report(store)["services"] if g["service"] == "sij-pathway"]
    assert (group["cards_issued"], group["overridden"]) == (1, 1)
    with store.connect() as connection:
        actions = connection.execute(select(audit_log.c.action).order_by(audit_log.c.seq)).scalars().all()
    assert actions == ["cds-hooks", "cds-hooks", "cds-feedback"]
