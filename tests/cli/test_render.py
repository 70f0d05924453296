"""The terminal prints record text as text: escape sequences from a record never reach the terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sijpath import wiring
from sijpath.cli.render import print_assessment, print_comparison
from sijpath.engine.compare import compare
from sijpath.pathway.assess import evaluate
from tests.cli.running import run
from tests.documents.test_escaping import AS_OF, EXAMPLES, hostile_episode

CONTROL = ("\x1b", "\x9b", "\x07")


def printed(draw: object) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=160, color_system=None)
    draw(console)  # type: ignore[operator]
    return buffer.getvalue()


def test_an_assessment_prints_no_control_code_from_the_record() -> None:
    assessment = evaluate(hostile_episode(), wiring.load_ruleset("source-articles", AS_OF), AS_OF)

    text = printed(lambda console: print_assessment(console, assessment))

    assert not [c for c in CONTROL if c in text]
    assert "[2J" in text  # the rest of the text is still shown
    assert "p|<img src=x onerror=alert(1)>" in text


def test_a_comparison_prints_no_control_code_from_the_record() -> None:
    episode = hostile_episode().model_copy(
        update={"patient": hostile_episode().patient.model_copy(update={"id": "p\x1b[2J"})}
    )
    comparison = compare(
        [evaluate(episode, wiring.load_ruleset(r, AS_OF), AS_OF) for r in ("source-articles", "commercial-strict")]
    )

    text = printed(lambda console: print_comparison(console, comparison))

    assert not [c for c in CONTROL if c in text]


def test_an_error_quoting_the_input_prints_no_control_code(capsys: pytest.CaptureFixture[str]) -> None:
    bundle = EXAMPLES / "fhir" / "new-referral.json"

    code, _, err = run(capsys, "assess", str(bundle), "--patient", "x\x1b]0;owned\x07\x1b[2J", "--as-of", "2026-11-01")

    assert code == 2
    assert "no patient `x]0;owned[2J`" in err
    assert not [c for c in CONTROL if c in err]
