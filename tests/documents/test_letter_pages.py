"""The letter as a payer reads it: identifiers, provider and NPI, codes, the payer's clauses, and every page marked."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from sijpath import wiring
from sijpath.documents.letter_text import letter_markdown
from sijpath.documents.packet import packet_sections
from sijpath.documents.pdf import letter_pdf, markdown_pdf
from sijpath.domain.episode import Episode
from sijpath.errors import RequestNotSupportedError
from tests.documents.test_letter import EXAMPLE_NAMES, letter_for, letters_for

# `provocation_tests[0]`, `pain.below_l5`: places in sijpath's episode that a payer's reviewer cannot look up.
FIELD_KEY = re.compile(r"\b(" + "|".join(Episode.model_fields) + r")(\[\d+\]|\.[a-z_0-9]+)")


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_complete_letter_names_patient_codes_side_and_the_ordering_provider_with_npi() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    text = letter_markdown(letter)
    assert not letter.draft
    assert text.startswith("# Example Spine Clinic\n1 Main St · Springfield\n")
    assert "| Patient | Jordan Example |" in text
    assert "| Date of birth | 1971-02-14 |" in text
    assert "| Member ID | XYZ123456789 |" in text
    assert "| Diagnosis (ICD-10-CM) | M46.1 Sacroiliitis, not elsewhere classified (recorded 2025-12-01) |" in text
    assert "| Procedure | CPT 27279-RT: Arthrodesis, sacroiliac joint" in text
    assert "| Ordering provider | A. Physician, MD, NPI 1234567893 |" in text
    assert "MISSING" not in text


def test_without_identifiers_or_a_practice_the_letter_is_a_draft_that_shows_each_missing_and_invents_none() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279", draft=True, complete=False)
    text = letter_markdown(letter)
    assert letter.draft
    assert "6 required item(s) missing (marked MISSING)" in text
    for what in ("patient name", "member ID", "ICD-10-CM diagnosis", "ordering provider", "NPI"):
        assert f"MISSING: {what}" in text
    assert not re.search(r"\b\d{10}\b", text)  # no NPI-shaped number appears from nowhere


def test_without_identifiers_a_final_letter_is_refused_and_each_missing_item_says_where_to_set_it() -> None:
    with pytest.raises(RequestNotSupportedError) as info:
        letter_for("payer-fusion-candidate", "commercial-strict", "27279", complete=False)
    missing = [p.message for p in info.value.problems if p.location == "missing"]
    assert len(missing) == 6
    assert "ordering provider's NPI: set the setting SIJPATH_ORDERING_PROVIDER_NPI, or --npi" in missing


def test_each_criterion_is_stated_against_the_payers_own_clause_with_its_value() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    text = letter_markdown(letter)
    block = text.split("## 4. ")[1].split("\n## ")[0]
    assert "Payer policy: Sacroiliac Joint Fusion or Stabilization (CMM-611) (eviCore healthcare)" in block
    assert "- Policy value: Relief a diagnostic block must reach to be positive: 75% (evicore-cmm-611)" in block
    assert "- Policy value: Positive valid blocks of the joint needed to confirm it: 2 (evicore-cmm-611)" in block
    # sijpath's own reading of a block (its reading windows) is how the record is read, not a clause of the payer
    assert "Policy value: How long after the injection a post-block score" not in block


def test_a_criterion_no_clause_of_the_payer_states_says_so() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    block = letter_markdown(letter).split("## 3. Fortin's point tenderness")[1].split("\n## ")[0]
    assert "Payer policy: no clause of this payer's policy states this criterion" in block


def test_unverified_wording_a_criterion_rests_on_is_marked_for_the_reviewer() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    block = letter_markdown(letter).split("## 4. ")[1].split("\n## ")[0]
    assert (
        "> For the reviewer: anesthetic-duration-of-action is UNVERIFIED: its wording was not read from the source"
        in block
    )


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_no_letter_shows_an_internal_field_key(example: str) -> None:
    for ruleset_id in wiring.builtin_ruleset_ids():
        for procedure in ("27279", "64625", "27096"):
            _, letters = letters_for(example, ruleset_id, procedure, draft=True)
            for letter in letters:
                found = FIELD_KEY.search(letter_markdown(letter))
                assert found is None, (example, ruleset_id, procedure, found and found[0])


def test_the_physicians_narrative_is_in_the_letter_when_given_and_absent_from_a_final_one_when_not() -> None:
    narrative = "Right buttock pain since March 2025.\nTwo blocks relieved most of it."
    _, given = letter_for("payer-fusion-candidate", "commercial-strict", "27279", narrative=narrative)
    _, none = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    assert "## Physician's narrative\n\nRight buttock pain since March 2025.\nTwo blocks relieved most of it." in (
        letter_markdown(given)
    )
    assert "Physician's narrative" not in letter_markdown(none)


def test_enclosures_list_the_packet_and_the_record_dates_the_letter_cites() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    enclosed = letter_markdown(letter).split("## Enclosures")[1].split("## ")[0]
    assert "- Dated evidence list (every record entry cited above)" in enclosed
    assert "- Clinical records of 2025-12-01, " in enclosed
    assert "2026-03-23" in enclosed


def test_a_draft_says_draft_and_names_the_patient_on_every_page_with_its_number() -> None:
    _, letter = letter_for("payer-smoker", "commercial-strict", "27279", draft=True)
    found = pages(letter_pdf(letter))
    assert len(found) > 1
    for number, text in enumerate(found, start=1):
        assert "DRAFT - NOT FOR SUBMISSION" in text
        assert "Jordan Example - DOB " in text
        assert "Member ID XYZ123456789" in text
        assert f"Page {number} of {len(found)}" in text


def test_a_final_letter_has_no_draft_mark_on_any_page_and_is_us_letter_unless_a4_is_asked() -> None:
    _, letter = letter_for("payer-fusion-candidate", "commercial-strict", "27279")
    letter_size, a4 = letter_pdf(letter), letter_pdf(letter, "a4")
    assert all("DRAFT" not in text and "Jordan Example" in text for text in pages(letter_size))
    box = PdfReader(io.BytesIO(letter_size)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    box = PdfReader(io.BytesIO(a4)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_the_packet_holds_letter_summary_evidence_and_the_payers_clauses_each_page_marked() -> None:
    _, letter = letter_for("payer-fusion-candidate", "cms-mis-fusion", "27279", draft=True, complete=False)
    found = pages(markdown_pdf(packet_sections(letter), letter))
    joined = "\n".join(found)
    for title in ("Assessment summary: Right SI joint", "Dated evidence: Right SI joint", "Payer policy clauses"):
        assert title in joined
    assert "UNVERIFIED wording; check it against the policy itself" in joined
    for number, text in enumerate(found, start=1):
        assert "DRAFT - NOT FOR SUBMISSION" in text
        assert "Patient name MISSING - DOB 1971-02-14 - Member ID MISSING - Record payer-fusion-candidate" in text
        assert f"Page {number} of {len(found)}" in text


def test_the_packets_policy_clauses_are_never_patient_education_articles() -> None:
    _, letter = letter_for("payer-fusion-candidate", "source-articles", "27279", draft=True)
    clauses = packet_sections(letter)[3]
    assert "No payer or guideline source of this rule set can be cited to a payer." in clauses
    assert "seed-" not in clauses
