"""The REST API: episodes with ETag/If-Match, validation errors, FHIR import, assessment and comparison contracts."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from sijpath import wiring
from sijpath.domain.findings import ImagingStudy
from sijpath.store import episodes as store
from sijpath.store.accounts import User, add_user
from sijpath.store.database import transaction
from sijpath.store.tokens import create_token
from sijpath.web.app import create_app
from sijpath.web.services import App
from tests.web import seeded
from tests.web.conftest import EXAMPLES, PASSWORD, Clock

AS_OF = "2026-11-01"
PATIENT_IDS = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))


def only(report: dict[str, Any]) -> dict[str, Any]:
    """The one assessed joint of a JSON assessment (the example patients hurt on one side)."""
    (joint,) = report["joints"]
    return joint  # type: ignore[no-any-return]


def _api_client(services: App, username: str) -> Iterator[TestClient]:
    with transaction(services.engine) as connection:
        token = create_token(connection, username, "tests", services.now(), scope="read-write")
    with TestClient(create_app(services), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def api(services: App) -> Iterator[TestClient]:
    """An integration with a clinician's API token."""
    yield from _api_client(services, "clinician")


@pytest.fixture
def other(services: App, clock: Clock) -> Iterator[TestClient]:
    """A second clinician's integration."""
    with transaction(services.engine) as connection:
        add_user(connection, "dr-second", PASSWORD, "clinician", clock())
    yield from _api_client(services, "dr-second")


def episode_json(name: str, patient_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = wiring.load_episode(EXAMPLES / f"{name}.yaml").model_dump(mode="json", exclude_defaults=True)
    if patient_id:
        body["patient"]["id"] = patient_id
    return body


def with_pain_score(body: dict[str, Any], date: str, nrs: float) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed.setdefault("pain_scores", []).append({"date": date, "nrs": nrs})
    return changed


# Reading and listing


def test_an_episode_reads_back_as_sijpath_episode_with_its_version_as_etag(api: TestClient) -> None:
    response = api.get("/api/patients/new-referral")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == episode_json("new-referral")


def test_the_list_gives_each_patients_version_next_step_stage_and_flags(api: TestClient) -> None:
    body = api.get("/api/patients", params={"as_of": AS_OF}).json()
    assert body["total"] == len(PATIENT_IDS)
    assert [p["patient_id"] for p in body["patients"]] == PATIENT_IDS
    row = next(p for p in body["patients"] if p["patient_id"] == "fibromyalgia")
    assert row == {
        "patient_id": "fibromyalgia",
        "version": 1,
        "joints": [{"joint": "left", "next_step": "conservative-care", "stage": "non-surgical-care"}],
        "flags": ["exclusion-generalized-pain-disorder"],
    }


def test_the_list_filters_searches_and_pages(api: TestClient) -> None:
    steps = {
        p["patient_id"]: {j["next_step"] for j in p["joints"]} for p in api.get("/api/patients").json()["patients"]
    }
    injection = api.get("/api/patients", params={"step": "therapeutic-injection"}).json()
    assert [p["patient_id"] for p in injection["patients"]] == sorted(
        p for p, step in steps.items() if "therapeutic-injection" in step
    )
    flagged = api.get("/api/patients", params={"flag": "exclusion-generalized-pain-disorder"}).json()
    assert all("exclusion-generalized-pain-disorder" in p["flags"] for p in flagged["patients"])
    assert flagged["total"] == len(flagged["patients"]) > 0
    assert [p["patient_id"] for p in api.get("/api/patients", params={"q": "payer"}).json()["patients"]] == [
        "payer-fusion-candidate",
        "payer-smoker",
    ]
    pages = [api.get("/api/patients", params={"limit": 6, "offset": n}).json() for n in (0, 6, 12)]
    assert [p["total"] for p in pages] == [len(PATIENT_IDS)] * 3
    assert [p["patient_id"] for page in pages for p in page["patients"]] == PATIENT_IDS


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset"), ({"as_of": "tomorrow"}, "as_of")],
)
def test_bad_list_parameters_get_422_naming_the_parameter(api: TestClient, params: dict[str, Any], field: str) -> None:
    response = api.get("/api/patients", params=params)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/patients/nobody",
        "/api/patients/nobody/assessment",
        "/api/patients/nobody/comparison",
    ],
)
def test_an_unknown_patient_is_404(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "no patient `nobody`", "problems": []}


@pytest.mark.parametrize("path", ["/api/patients", "/api/patients/new-referral/assessment"])
def test_an_unknown_rule_set_is_404_naming_the_known_ones(api: TestClient, path: str) -> None:
    response = api.get(path, params={"ruleset": "no-such-rules"})
    assert response.status_code == 404
    assert "no rule set `no-such-rules`" in response.json()["error"]
    assert "source-articles" in response.json()["error"]


# Writing: create, replace with If-Match, delete


def test_creating_a_patient_gives_201_version_1_and_it_reads_back(api: TestClient) -> None:
    body = episode_json("new-referral", "api-created")
    created = api.post("/api/patients", json=body)
    assert created.status_code == 201
    assert created.json() == {"patient_id": "api-created", "version": 1}
    assert created.headers["etag"] == '"1"'
    assert api.get("/api/patients/api-created").json() == body
    assessment = api.get("/api/patients/api-created/assessment", params={"as_of": AS_OF}).json()
    assert only(assessment)["next_step"]["code"] == "diagnostic-block"


def test_creating_a_patient_that_exists_is_409_and_changes_nothing(api: TestClient) -> None:
    response = api.post("/api/patients", json=with_pain_score(episode_json("new-referral"), "2026-10-30", 2))
    assert response.status_code == 409
    assert "already exists" in response.json()["error"]
    assert api.get("/api/patients/new-referral").json() == episode_json("new-referral")


def test_a_replace_with_the_current_etag_saves_a_new_version(api: TestClient) -> None:
    read = api.get("/api/patients/new-referral")
    changed = with_pain_score(read.json(), "2026-10-30", 3)
    saved = api.put("/api/patients/new-referral", json=changed, headers={"If-Match": read.headers["etag"]})
    assert saved.status_code == 200
    assert saved.json() == {"patient_id": "new-referral", "version": 2}
    assert saved.headers["etag"] == '"2"'
    again = api.get("/api/patients/new-referral")
    assert again.headers["etag"] == '"2"'
    assert again.json() == changed


def test_two_clinicians_replacing_from_the_same_version_the_second_gets_409_naming_the_first(
    api: TestClient, other: TestClient
) -> None:
    mine, theirs = api.get("/api/patients/new-referral"), other.get("/api/patients/new-referral")
    first = other.put(
        "/api/patients/new-referral",
        json=with_pain_score(theirs.json(), "2026-10-30", 3),
        headers={"If-Match": theirs.headers["etag"]},
    )
    assert first.status_code == 200
    stale = api.put(
        "/api/patients/new-referral",
        json=with_pain_score(mine.json(), "2026-10-31", 8),
        headers={"If-Match": mine.headers["etag"]},
    )
    assert stale.status_code == 409
    message = stale.json()["error"]
    assert "changed by dr-second (version 2) after you opened version 1" in message
    assert "nothing was saved" in message
    scores = api.get("/api/patients/new-referral").json()["pain_scores"]
    assert {"date": "2026-10-30", "nrs": 3.0} in scores
    assert {"date": "2026-10-31", "nrs": 8.0} not in scores


def test_a_replace_without_if_match_is_refused_naming_the_header(api: TestClient) -> None:
    response = api.put("/api/patients/new-referral", json=episode_json("new-referral"))
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["header", "if-match"]]


@pytest.mark.parametrize("if_match", ["*", "W/1", '"one"', "99999999999999999999999"])
def test_an_if_match_that_is_not_a_version_is_refused(api: TestClient, if_match: str) -> None:
    response = api.put("/api/patients/new-referral", json=episode_json("new-referral"), headers={"If-Match": if_match})
    assert response.status_code in (400, 409), response.text
    assert api.get("/api/patients/new-referral").headers["etag"] == '"1"'


def test_a_replace_about_another_patient_is_refused(api: TestClient) -> None:
    response = api.put("/api/patients/new-referral", json=episode_json("fibromyalgia"), headers={"If-Match": '"1"'})
    assert response.status_code == 400
    assert "the body is about patient `fibromyalgia`, the URL about `new-referral`" in response.json()["error"]


def test_replacing_an_unknown_patient_is_404(api: TestClient) -> None:
    response = api.put("/api/patients/nobody", json=episode_json("new-referral", "nobody"), headers={"If-Match": "1"})
    assert response.status_code == 404


def test_an_invalid_episode_gets_422_naming_each_wrong_field(api: TestClient) -> None:
    body = episode_json("single-negative-block", "api-invalid")
    body["diagnostic_blocks"][0]["post_block_nrs"] = 11
    body["pain"]["laterality"] = "up"
    body["surprise"] = True
    response = api.post("/api/patients", json=body)
    assert response.status_code == 422
    error = response.json()
    assert error["error"] == "not a valid sijpath episode"
    fields = {problem.split(":")[0] for problem in error["problems"]}
    assert fields == {"diagnostic_blocks[0].post_block_nrs", "pain.laterality", "surprise"}
    assert api.get("/api/patients/api-invalid").status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "the request body is not JSON"),
        (b"[1, 2]", "the request body must be an episode object (sijpath-episode/1)"),
        (b'"text"', "the request body must be an episode object (sijpath-episode/1)"),
    ],
)
def test_a_body_that_is_not_an_episode_object_gets_422(api: TestClient, content: bytes, message: str) -> None:
    response = api.post("/api/patients", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == message


def test_a_body_giving_a_key_twice_gets_422_naming_it(api: TestClient) -> None:
    content = b'{"patient": {"id": "dup"}, "pain": {"laterality": "left", "laterality": "right"}}'
    response = api.post("/api/patients", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert [p.split(":")[0] for p in response.json()["problems"]] == ["pain.laterality"]


def test_deleting_a_patient_gives_204_and_then_404(api: TestClient) -> None:
    assert api.delete("/api/patients/fibromyalgia").status_code == 204
    assert api.get("/api/patients/fibromyalgia").status_code == 404
    assert api.delete("/api/patients/fibromyalgia").status_code == 404
    assert "fibromyalgia" not in [p["patient_id"] for p in api.get("/api/patients").json()["patients"]]


def test_a_browser_session_writes_through_the_api_with_the_csrf_header(services: App) -> None:
    clients: list[TestClient] = []
    browser = seeded.signed_in(services, clients, "clinician")
    body = episode_json("new-referral", "from-browser")
    assert browser.post("/api/patients", json=body).status_code == 403
    token: str = browser.csrf  # type: ignore[attr-defined]
    response = browser.post("/api/patients", json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 201
    browser.close()


# FHIR import


def test_importing_a_bundle_reports_each_patient_and_a_second_import_is_unchanged(api: TestClient) -> None:
    bundle = (EXAMPLES / "fhir" / "payer-smoker.json").read_bytes()
    first = api.post("/api/fhir/import", content=bundle, headers={"Content-Type": "application/fhir+json"})
    assert first.status_code == 200
    # The seeded record holds the same events: every fact is matched (kept once), none new.
    facts = {"new": 0, "matched": 22, "conflicting": 0, "skipped": 0}  # 2 supportive-care courses among them
    assert first.json() == [
        {
            "patient_id": "payer-smoker",
            "created": False,
            "unchanged": False,
            "version": 2,
            "data_issues": 0,
            "facts": facts,
        }
    ]
    second = api.post("/api/fhir/import", content=bundle)
    assert second.json() == [
        {
            "patient_id": "payer-smoker",
            "created": False,
            "unchanged": True,
            "version": 2,
            "data_issues": 0,
            "facts": facts,
        }
    ]
    assert api.get("/api/patients/payer-smoker").headers["etag"] == '"2"'


def test_importing_a_bundle_for_an_unknown_patient_creates_it(api: TestClient) -> None:
    assert api.delete("/api/patients/rfa-candidate").status_code == 204
    bundle = (EXAMPLES / "fhir" / "rfa-candidate.json").read_bytes()
    [result] = api.post("/api/fhir/import", content=bundle).json()
    assert result["patient_id"] == "rfa-candidate"
    assert result["created"] is True
    assert result["version"] == 1
    source = api.get("/api/patients/rfa-candidate/assessment", params={"as_of": AS_OF}).json()
    assert only(source)["next_step"]["code"] == "radiofrequency-ablation"


@pytest.mark.parametrize("content", [b"", b"{", b'{"resourceType": "Patient", "id": "x"}', b"[]"])
def test_importing_something_that_is_not_a_bundle_gets_422_and_saves_nothing(api: TestClient, content: bytes) -> None:
    before = api.get("/api/patients").json()
    response = api.post("/api/fhir/import", content=content)
    assert response.status_code == 422, response.text
    assert response.json()["error"]
    assert api.get("/api/patients").json() == before


# Assessment and comparison contracts


def test_the_assessment_is_sijpath_assessment_2_under_the_asked_rule_set_and_date(api: TestClient) -> None:
    response = api.get("/api/patients/payer-smoker/assessment", params={"ruleset": "commercial-strict", "as_of": AS_OF})
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "sijpath-assessment/2"
    assert body["patient"] == {"id": "payer-smoker"}
    assert body["ruleset"]["id"] == "commercial-strict"
    assert body["as_of"] == AS_OF
    assert only(body)["next_step"]["code"] == "conservative-care"
    assert only(body)["next_step"]["citations"]
    for criterion in only(body)["criteria"]:
        assert criterion["status"] in {"met", "not-met", "unknown"}
        assert {"id", "title", "evidence", "citations", "missing"} <= set(criterion)
    assert body["notice"]


def test_the_assessment_defaults_to_the_configured_rule_set_and_today(api: TestClient, services: App) -> None:
    body = api.get("/api/patients/payer-smoker/assessment").json()
    assert body["ruleset"]["id"] == services.settings.default_ruleset
    assert body["as_of"] == services.today().isoformat()
    assert only(body)["next_step"]["code"] == "radiofrequency-ablation"


def test_the_assessment_as_of_a_date_before_any_rule_set_is_a_clear_error(api: TestClient) -> None:
    response = api.get("/api/patients/payer-smoker/assessment", params={"as_of": "1990-01-01"})
    assert response.status_code in (400, 404)
    assert "in force" in response.json()["error"]


def test_the_comparison_is_sijpath_comparison_2_over_every_rule_set_in_force(api: TestClient) -> None:
    response = api.get("/api/patients/payer-smoker/comparison", params={"as_of": AS_OF})
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "sijpath-comparison/2"
    assert body["patient"] == {"id": "payer-smoker"}
    assert body["as_of"] == AS_OF
    assert {r["id"] for r in body["rulesets"]} == {
        "aspn-2024",
        "cms-mis-fusion",
        "cms-sij-injection",
        "commercial-strict",
        "controlled-block",
        "source-articles",
    }
    next_step = next(row for row in only(body)["rows"] if row["key"] == "next-step")
    assert next_step["divergent"] is True
    assert set(next_step["values"]) == {r["id"] for r in body["rulesets"]}


def test_the_rule_sets_endpoint_lists_those_in_force_with_version_and_title(api: TestClient) -> None:
    rulesets = {r["id"]: r for r in api.get("/api/rulesets").json()}
    assert "source-articles" in rulesets
    assert rulesets["commercial-strict"]["title"] == "Commercial payer criteria (strict)"
    assert all(r["version"] and r["issuer"] for r in rulesets.values())


# The OpenAPI document


def test_the_openapi_document_loads_and_lists_every_api_route_and_no_page(client: TestClient) -> None:
    response = client.get("/api/openapi.json")  # no sign-in needed: it describes the API, it holds no data
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "sijpath"
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("GET", "/api/patients"),
        ("POST", "/api/patients"),
        ("GET", "/api/patients/{patient_id}"),
        ("PUT", "/api/patients/{patient_id}"),
        ("DELETE", "/api/patients/{patient_id}"),
        ("POST", "/api/fhir/import"),
        ("GET", "/api/patients/{patient_id}/assessment"),
        ("GET", "/api/worklist"),
        ("GET", "/api/patients/{patient_id}/comparison"),
        ("GET", "/api/rulesets"),
    }
    put = document["paths"]["/api/patients/{patient_id}"]["put"]
    assert {p["name"]: p["required"] for p in put["parameters"]}["if-match"] is True
    listing = {p["name"] for p in document["paths"]["/api/patients"]["get"]["parameters"]}
    assert {"ruleset", "as_of", "q", "step", "flag", "limit", "offset"} <= listing


def test_a_deleted_patient_comes_back_when_the_same_bundle_is_imported_again(api: TestClient) -> None:
    bundle = (EXAMPLES / "fhir" / "block-with-steroid.json").read_bytes()
    assert api.post("/api/fhir/import", content=bundle).status_code == 200

    assert api.delete("/api/patients/block-with-steroid").status_code == 204
    again = api.post("/api/fhir/import", content=bundle).json()

    assert again[0]["unchanged"] is False
    assert api.get("/api/patients/block-with-steroid").status_code == 200


def test_a_delete_with_a_stale_if_match_is_refused_and_deletes_nothing(api: TestClient) -> None:
    response = api.delete("/api/patients/new-referral", headers={"If-Match": '"7"'})

    assert response.status_code == 409
    assert api.get("/api/patients/new-referral").status_code == 200


def test_a_new_import_keeps_the_facts_a_clinician_entered(api: TestClient, services: App) -> None:
    first = (EXAMPLES / "fhir" / "block-with-steroid.json").read_bytes()
    api.post("/api/fhir/import", content=first)
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, "block-with-steroid")
    study = ImagingStudy(date=dt.date(2026, 10, 1), modality="ct", region="sij", findings=("subchondral-sclerosis",))
    services.save(
        User("clinician", "clinician"),
        stored.episode.model_copy(update={"imaging": (study,)}),
        stored.version,
        "127.0.0.1",
    )

    changed = orjson.loads(first)
    changed["entry"][0]["resource"]["gender"] = "other"  # the EHR sends an update
    result = api.post("/api/fhir/import", content=orjson.dumps(changed)).json()

    assert result[0]["unchanged"] is False
    with transaction(services.engine) as connection:
        after = store.load_episode(connection, "block-with-steroid").episode
    assert after.imaging == (study,)
    assert after.patient.sex == "other"
