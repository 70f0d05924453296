"""Record text stays text in every Markdown output: no HTML, no link, no broken table, no terminal escape code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sijpath import wiring
from sijpath.documents.gaps import gaps_markdown
from sijpath.documents.letter import build_letter
from sijpath.documents.letter_text import letter_html, letter_markdown
from sijpath.documents.markdown import assessment_markdown, comparison_markdown
from sijpath.documents.packet import packet_sections
from sijpath.documents.pdf import letter_pdf, markdown_pdf
from sijpath.domain.episode import Episode
from sijpath.domain.findings import Diagnosis
from sijpath.engine.compare import compare
from sijpath.markup import markdown_code, markdown_plain, markdown_text, terminal_text
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 11, 1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSTILE = "<img src=x onerror=alert(1)> [chart](javascript:alert(1)) a|b `x` \x1b[2J\x9b31m"


def hostile_episode() -> Episode:
    """The payer fusion candidate with record text an attacker (or a careless interface) could put in a chart."""
    episode = wiring.load_episode(EXAMPLES / "payer-fusion-candidate.yaml")
    blocks = tuple(
        b.model_copy(update={"id": f"blk-{i}|{HOSTILE[:40]}"}) for i, b in enumerate(episode.diagnostic_blocks)
    )
    diagnosis = Diagnosis(code="M45.9", display=HOSTILE, recorded_date=dt.date(2026, 1, 5))
    return episode.model_copy(
        update={
            "patient": episode.patient.model_copy(update={"id": "p|<img src=x onerror=alert(1)>"}),
            "diagnostic_blocks": blocks,
            "diagnoses": (*episode.diagnoses, diagnosis),
        }
    )


def assert_inert(markdown: str) -> None:
    """No tag or link a Markdown renderer would act on (an escaped `\\<` is a character, and a code span shows its
    text as it is), no control code."""
    markdown = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)
    assert not re.search(r"(?<!\\)<img", markdown)
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)
    assert "\x1b" not in markdown
    assert "\x9b" not in markdown


def table_widths(markdown: str) -> set[int]:
    """The cell count of every row of every table (a pipe from the record would add one)."""
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    return {len(re.split(r"(?<!\\)\|", row.strip("|"))) for row in rows if not row.startswith("| |")}


def test_the_assessment_report_escapes_record_text_and_keeps_its_tables_whole() -> None:
    assessment = evaluate(hostile_episode(), wiring.load_ruleset("source-articles", AS_OF), AS_OF)

    markdown = assessment_markdown(assessment)

    assert_inert(markdown)
    assert r"\<img src=x onerror=alert(1)\>" in markdown  # still there to read, as text
    for table in markdown.split("\n\n"):
        assert len(table_widths(table)) <= 1, table


def test_the_comparison_report_escapes_the_patient_id() -> None:
    episode = hostile_episode()
    assessments = [
        evaluate(episode, wiring.load_ruleset(r, AS_OF), AS_OF) for r in ("source-articles", "commercial-strict")
    ]

    assert_inert(comparison_markdown(compare(assessments)))


def test_the_letter_escapes_record_text_in_markdown_html_and_pdf() -> None:
    ruleset = wiring.load_ruleset("commercial-strict", AS_OF)
    assessment = evaluate(hostile_episode(), ruleset, AS_OF)
    letter = build_letter(assessment, assessment.units[0], ruleset, "27279", draft=True, episode=hostile_episode())

    markdown = letter_markdown(letter)
    page = letter_html(letter)

    assert_inert(markdown)
    assert table_widths(markdown) == {2}  # the header table: a pipe in the patient id stays in its cell
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "p|&lt;img" in page  # the id in one cell, unescaped for reading
    assert letter_pdf(letter).startswith(b"%PDF")


def test_the_gaps_report_escapes_the_patient_id() -> None:
    markdown = gaps_markdown("27279", HOSTILE, AS_OF, [])

    assert_inert(markdown)


@pytest.mark.parametrize("value", [HOSTILE, "plain text", "`already` code", "|"])
def test_escaped_text_reads_back_as_the_text_without_its_control_codes(value: str) -> None:
    assert markdown_plain(markdown_text(value)) == " ".join(terminal_text(value).split())


def test_a_code_span_cannot_be_closed_by_the_text_in_it() -> None:
    assert markdown_code("a`b") == "``a`b``"
    assert markdown_code("`x") == "`` `x ``"
    assert terminal_text("a\x1b[31mb\x07\tc\n") == "a[31mb\tc\n"


def test_the_packet_escapes_record_text_in_every_section() -> None:
    ruleset = wiring.load_ruleset("commercial-strict", AS_OF)
    episode = hostile_episode()
    assessment = evaluate(episode, ruleset, AS_OF)
    letter = build_letter(assessment, assessment.units[0], ruleset, "27279", draft=True, episode=episode)

    for section in packet_sections(letter):
        assert_inert(section)
    assert markdown_pdf(packet_sections(letter), letter).startswith(b"%PDF")
