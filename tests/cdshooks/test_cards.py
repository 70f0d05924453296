"""What the cards say: never more than the assessment, unknowns as unknown with the data missing, and the notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from sijpath.cdshooks import markdown as md
from sijpath.cdshooks.app import create_cds_app
from sijpath.cdshooks.service import CdsService
from tests.cdshooks.conftest import WEB_APP
from tests.cdshooks.ehr import Ehr, Record, hook_request, order
from tests.cdshooks.shapes import policy, raw_html

NOTICE = "sijpath supports clinical decisions; it does not make them"


def pathway(ehr: Ehr, name: str) -> dict[str, Any]:
    record = Record.example(name)
    response = ehr.call("sij-pathway", hook_request("patient-view", record.patient_id, record.prefetch()))
    assert response.status_code == 200, response.text
    [card] = response.json()["cards"]  # the example patients hurt on one side: one joint, one card
    assert policy(card) == []
    return card


def ordered(
    ehr: Ehr, name: str, *orders: dict[str, Any], hook: str = "order-sign", **more: Any
) -> list[dict[str, Any]]:
    record = Record.example(name)
    # Orders name the side of the patient's pain unless the test gives them a bodySite (or none: `bodySite: None`).
    side = [{"text": f"{record.pain_side} sacroiliac joint"}]
    drafts = [
        {
            k: v
            for k, v in (
                dict({"bodySite": side}, **o) | {"subject": {"reference": f"Patient/{record.patient_id}"}}
            ).items()
            if v is not None
        }
        for o in orders
    ]
    body = hook_request(hook, record.patient_id, record.prefetch(), draft_orders=drafts, **more)
    response = ehr.call("sij-procedure-order", body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    assert all(policy(card) == [] for card in cards)
    return cards


def test_the_pathway_card_gives_the_stage_the_next_step_with_its_reason_the_flags_and_the_sources(ehr: Ehr) -> None:
    card = pathway(ehr, "fusion-candidate")

    assert card["summary"] == (
        "Left SI joint, surgical candidacy: Consider referral for a minimally invasive SI-joint fusion evaluation"
    )
    assert card["indicator"] == "warning"  # the diminishing-relief flag
    detail = card["detail"]
    assert "**Left SI joint, where it stands:** surgical candidacy, under Source articles pathway 1.0.0" in detail
    assert "(CPT 27279, left)" in detail
    assert "as of 2026-11-01" in detail
    assert "relief keeps shortening: 26 → 10 → 3 weeks" in detail
    assert "**warning**: relief after successive injections keeps shortening" in detail
    assert "**Sources:** What Happens If SI Joint Injections Don't Work?" in detail
    assert NOTICE in detail
    assert card["source"]["label"] == "sijpath · Source articles pathway 1.0.0"
    assert card["source"]["topic"]["code"] == "guideline"


def test_unknown_criteria_are_shown_with_the_data_that_would_settle_them(ehr: Ehr) -> None:
    card = pathway(ehr, "missing-imaging")

    assert card["summary"].startswith("Left SI joint")
    assert "Record the missing information" in card["summary"]
    assert "**Data missing** (these criteria are unknown until it is recorded)" in card["detail"]
    assert "CT or MRI of the SI joint" in card["detail"]


def test_a_red_flag_makes_a_critical_card(ehr: Ehr) -> None:
    card = pathway(ehr, "postpartum-red-flag")

    assert card["indicator"] == "critical"
    assert "**critical**: Pregnancy or the postpartum period" in card["detail"]


def test_an_exclusion_makes_a_warning_card_not_a_critical_one(ehr: Ehr) -> None:
    card = pathway(ehr, "fibromyalgia")

    assert card["indicator"] == "warning"
    assert "excludes fusion of either SI joint" in card["detail"]


def test_the_absolute_link_to_the_patient_page_appears_only_when_the_web_app_is_configured(
    ehr: Ehr, make_service: Callable[..., CdsService], es_key: Any
) -> None:
    card = pathway(ehr, "new-referral")
    link = {"label": "Open the patient in sijpath", "url": f"{WEB_APP}/patients/new-referral", "type": "absolute"}
    assert link in card["links"]
    with TestClient(create_cds_app(make_service(web_app_url=None))) as client:
        bare = pathway(Ehr(client, ehr.issuer, es_key), "new-referral")
    assert all(link["type"] == "absolute" for link in bare.get("links", ()))


def test_a_fusion_order_without_a_positive_block_lists_gaps_and_suggests_the_block_instead(ehr: Ehr) -> None:
    [card] = ordered(ehr, "new-referral", order("27279", "x", "fusion-1"))

    assert card["summary"] == "CPT 27279-RT: 2 criteria not met, 5 undocumented under source-articles"
    assert card["indicator"] == "warning"
    detail = card["detail"]
    assert "**Right SI joint: 3 of 10 criteria met.**" in detail
    assert "**Not met**" in detail
    assert "**Unknown**" in detail
    assert "Missing: CT or MRI of the SI joint" in detail
    assert "**Coverage:** this rule set does not speak to coverage." in detail
    assert card["selectionBehavior"] == "at-most-one"
    [suggestion] = card["suggestions"]
    assert suggestion["label"] == (
        "Order an image-guided, anesthetic-only diagnostic SI-joint block of the right SI joint (CPT 27096) instead"
    )
    delete, create = suggestion["actions"]
    assert delete == {
        "type": "delete",
        "description": "Remove the order for CPT 27279",
        "resourceId": "ServiceRequest/fusion-1",
    }
    assert create["resource"]["code"]["coding"][0]["code"] == "27096"
    assert create["resource"]["status"] == "draft"
    assert create["resource"]["subject"] == {"reference": "Patient/new-referral"}
    assert create["resource"]["bodySite"] == [{"text": "right sacroiliac joint"}]  # the same side as the order
    assert card["source"]["topic"]["code"] == "therapy-alternatives-opt"


def test_an_order_whose_criteria_are_all_met_says_so_and_suggests_nothing(ehr: Ehr) -> None:
    [card] = ordered(ehr, "fusion-candidate", order("27279", "x"))

    assert card["summary"] == "CPT 27279-LT: all 10 criteria of source-articles met in the record sent"
    assert "suggestions" not in card
    assert card["indicator"] == "warning"  # still: the diminishing-relief flag is shown


def test_coverage_under_the_configured_rule_set_leads_the_summary(
    make_service: Callable[..., CdsService], es_key: Any, ehr: Ehr
) -> None:
    with TestClient(create_cds_app(make_service(cds_ruleset="commercial-strict"))) as client:
        [card] = ordered(Ehr(client, ehr.issuer, es_key), "rfa-candidate", order("64625", "x"))

    assert card["summary"].startswith("CPT 64625-RT: investigational under commercial-strict; ")
    assert card["indicator"] == "warning"
    assert "**Coverage:** investigational (SI-joint RFA is experimental/investigational)." in card["detail"]
    assert card["source"]["label"].startswith("sijpath · Commercial payer criteria (strict)")


def test_other_orders_get_no_card_and_each_si_joint_order_gets_its_own(ehr: Ehr) -> None:
    mri = order("72148", "x", "mri-1")
    medication = {"resourceType": "MedicationRequest", "id": "m-1", "status": "draft", "intent": "order"}
    hcpcs = order("G0260", "x", "inj-1", system="https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets")
    oid = order("64451", "x", "nerve-1", system="urn:oid:2.16.840.1.113883.6.12")
    signed = order("27096", "x", "done-1") | {"status": "completed"}

    assert ordered(ehr, "new-referral", mri, medication, signed) == []
    cards = ordered(ehr, "new-referral", mri, hcpcs, medication, oid)
    assert [c["extension"]["davinci-crd.associated-resource"][0]["reference"] for c in cards] == [
        "ServiceRequest/inj-1",
        "ServiceRequest/nerve-1",
    ]
    assert len({c["uuid"] for c in cards}) == 2


def test_order_select_answers_for_the_orders_just_selected(ehr: Ehr) -> None:
    drafts = (order("27096", "x", "blk-1"), order("27279", "x", "fus-1"))

    selected = ordered(ehr, "new-referral", *drafts, hook="order-select", selections=["ServiceRequest/fus-1"])
    unselected = ordered(ehr, "new-referral", *drafts, hook="order-select", selections=["ServiceRequest/other"])
    signing = ordered(ehr, "new-referral", *drafts, hook="order-sign")

    assert [c["summary"][:9] for c in selected] == ["CPT 27279"]
    assert unselected == []
    assert [c["summary"][:9] for c in signing] == ["CPT 27096", "CPT 27279"]


@pytest.mark.parametrize(
    "text", ["<script>alert(1)</script>", "<div>x</div>", "a <b>bold</b> & *em* [link](http://x) `code` | pipe"]
)
def test_text_from_a_record_never_becomes_html_or_markup(text: str) -> None:
    rendered = md.text(text)

    assert raw_html(rendered) == []
    assert raw_html(f"- **{rendered}**: {rendered}") == []
    assert "<" not in rendered.replace("\\<", "")


def test_summaries_are_clipped_under_140_characters_at_a_word() -> None:
    clipped = md.clip("word " * 60)

    assert len(clipped) <= 139
    assert clipped.endswith("word…")


def test_an_order_card_never_says_all_met_when_part_of_the_record_could_not_be_read(ehr: Ehr) -> None:
    record = Record.example("fibromyalgia")
    for resource in record.resources:  # the contraindication, recorded with a date that does not exist
        if resource["resourceType"] == "Condition" and "recordedDate" in resource:
            resource["recordedDate"] = "2025-13-45"
    drafts = [dict(order("27279", "x", "fusion-1", side="left"), subject={"reference": f"Patient/{record.patient_id}"})]
    body = hook_request("order-sign", record.patient_id, record.prefetch(), draft_orders=drafts)

    [card] = ehr.call("sij-procedure-order", body).json()["cards"]

    assert "all 10 criteria" not in card["summary"]
    assert "record problem" in card["summary"]
    assert card["indicator"] != "info"
    assert "**Record problems**" in card["detail"]


def test_a_suggestion_for_an_order_without_an_id_does_not_say_instead(ehr: Ehr) -> None:
    [card] = ordered(ehr, "new-referral", {k: v for k, v in order("27279", "x").items() if k != "id"})

    [suggestion] = card["suggestions"]
    assert [a["type"] for a in suggestion["actions"]] == ["create"]
    assert "instead" not in suggestion["label"]
