"""The EHR note of a decision-aid conversation: Markdown, and FHIR R4 (DocumentReference + QuestionnaireResponse)
that the independent R4B models accept, with the answers as recorded and nothing made up when they are not."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from sijpath import wiring
from sijpath.cli import main
from sijpath.cli.decision_aid import aids_for
from sijpath.decisionaid.answers import AidAnswers, parse_answers
from sijpath.decisionaid.fhir_note import QUESTIONNAIRE, note_bundle
from sijpath.decisionaid.note import note_markdown
from sijpath.errors import InputError

EXAMPLES = Path(__file__).parents[2] / "examples"
DAY = "2026-12-01"
ANSWERS = {
    "values": {
        "avoid-surgery": "a-lot",
        "reversible": "somewhat",
        "recovery-time": "a-little",
        "more-treatment": "a-lot",
        "cost": "not-at-all",
    },
    "sure": {
        "sure-of-myself": False,
        "understand-information": True,
        "risk-benefit-ratio": True,
        "encouragement": True,
    },
    "leaning": "wait-and-see",
    "discussed_with": "Dr A. Example",
}


def _aid(name: str = "fusion-candidate.yaml"):  # type: ignore[no-untyped-def]
    (aid,) = aids_for(EXAMPLES / name, wiring.DEFAULT_RULESET, DAY)
    return aid


def _resource(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    assert len(found) == 1, kind
    return found[0]


def _r4b_problems(document: dict[str, Any]) -> str | None:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(document)
    except ValidationError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("name", ["fusion-candidate.yaml", "postpartum-red-flag.yaml", "rfa-candidate.yaml"])
@pytest.mark.parametrize("answers", [{**ANSWERS, "leaning": "unsure"}, {}], ids=["answered", "unanswered"])
def test_the_note_bundle_conforms_to_r4b_and_has_the_required_fields(name: str, answers: dict[str, Any]) -> None:
    bundle = note_bundle(_aid(name), parse_answers(answers, "test"))
    assert _r4b_problems(bundle) is None
    doc, qr = _resource(bundle, "DocumentReference"), _resource(bundle, "QuestionnaireResponse")
    # Required by R4 beyond what the models enforce: DocumentReference.status and content[1..*].attachment;
    # QuestionnaireResponse.status; every item a linkId.
    assert doc["status"] == "current"
    assert doc["content"][0]["attachment"]["contentType"].startswith("text/markdown")
    assert doc["context"]["related"] == [{"reference": f"QuestionnaireResponse/{qr['id']}"}]
    assert qr["status"] in ("completed", "in-progress")
    assert qr["questionnaire"] == QUESTIONNAIRE
    assert all("linkId" in item for group in qr["item"] for item in [group, *group.get("item", [])])


def test_the_document_holds_the_markdown_note_byte_for_byte() -> None:
    aid, answers = _aid(), parse_answers(ANSWERS, "test")
    doc = _resource(note_bundle(aid, answers), "DocumentReference")
    assert base64.b64decode(doc["content"][0]["attachment"]["data"]).decode() == note_markdown(aid, answers)


def test_answers_are_recorded_as_given_and_the_sure_score_is_counted() -> None:
    qr = _resource(note_bundle(_aid(), parse_answers(ANSWERS, "test")), "QuestionnaireResponse")
    items = {item["linkId"]: item for group in qr["item"] for item in [group, *group.get("item", [])]}
    assert qr["status"] == "completed"
    assert items["avoid-surgery"]["answer"] == [
        {
            "valueCoding": {
                "system": "https://sijpath.org/fhir/CodeSystem/importance",
                "code": "a-lot",
                "display": "a lot",
            }
        }
    ]
    assert items["sure-of-myself"]["answer"] == [{"valueBoolean": False}]
    assert items["sure-score"]["answer"] == [{"valueInteger": 3}]
    assert items["leaning"]["answer"][0]["valueCoding"]["code"] == "wait-and-see"


def test_unanswered_questions_stay_unanswered_and_the_response_is_in_progress() -> None:
    qr = _resource(note_bundle(_aid(), AidAnswers()), "QuestionnaireResponse")
    items = [item for group in qr["item"] for item in [group, *group.get("item", [])] if "item" not in item]
    assert qr["status"] == "in-progress"
    assert all("answer" not in item for item in items)
    note = note_markdown(_aid(), AidAnswers())
    assert "SURE test incomplete (0 of 4 answered)" in note
    assert note.count("not recorded") >= 10


def test_the_note_says_shared_decision_making_took_place_with_options_and_reasons() -> None:
    note = note_markdown(_aid(), parse_answers(ANSWERS, "test"))
    assert note.startswith("# Shared decision-making note")
    assert "## Options discussed" in note
    assert "(fusion)" in note
    assert "## Options not offered, and why" in note
    assert "gave 40% relief" in note
    assert "SURE score 3 of 4" in note
    assert "It is not a recommendation" in note


def test_a_red_flag_note_lists_what_to_clarify_and_no_options() -> None:
    note = note_markdown(_aid("postpartum-red-flag.yaml"), AidAnswers())
    assert "## No treatment options shown: to clarify first" in note
    assert "## Options discussed" not in note


def test_leaning_toward_an_option_the_aid_did_not_show_is_refused() -> None:
    with pytest.raises(InputError, match="leaning") as caught:
        note_markdown(_aid(), parse_answers({**ANSWERS, "leaning": "rfa"}, "test"))
    assert "is not an option this aid shows" in str(caught.value)


def test_an_unknown_question_or_answer_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError) as caught:
        parse_answers({"values": {"avoid-surgery": "very"}, "sure": {"sure-of-me": True}}, "answers.yaml")
    text = str(caught.value)
    assert "answers.yaml" in text
    assert "values.avoid-surgery" in text
    assert "sure.sure-of-me" in text


def test_the_fhir_output_is_the_same_bytes_twice_and_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS), encoding="utf-8")
    args = ["decision-aid", str(EXAMPLES / "fusion-candidate.yaml"), "--as-of", DAY, "-f", "fhir"]
    assert main([*args, "--answers", str(answers), "-o", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--answers", str(answers), "-o", str(tmp_path / "b.json")]) == 0
    first = (tmp_path / "a.json").read_bytes()
    assert first == (tmp_path / "b.json").read_bytes()
    assert _r4b_problems(json.loads(first)) is None


def test_the_note_command_writes_markdown_and_a_bad_answers_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(EXAMPLES / "fusion-candidate.yaml")
    assert main(["decision-aid", path, "--as-of", DAY, "-f", "note"]) == 0
    assert "# Shared decision-making note" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("leaning: [not, a, key]\n", encoding="utf-8")
    assert main(["decision-aid", path, "--as-of", DAY, "-f", "note", "--answers", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err
    assert "leaning" in err


def test_a_two_joint_episode_gives_one_bundle_with_a_note_per_joint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decision-aid", str(EXAMPLES / "block-with-steroid.yaml"), "--as-of", DAY, "-f", "fhir"]) == 0
    bundle = json.loads(capsys.readouterr().out)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("DocumentReference") == 2
    assert len({e["fullUrl"] for e in bundle["entry"]}) == 4
    assert _r4b_problems(bundle) is None
