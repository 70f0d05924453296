"""Letters and packets as PDF (fpdf2, core fonts): US Letter or A4, the patient and page number on every page, DRAFT
on every page of a draft, symbols spelled in Latin-1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from fpdf import FPDF

from sijpath.documents.letter import Letter
from sijpath.documents.letter_text import letter_markdown
from sijpath.markup import TABLE_PIPE, markdown_plain

__all__ = ["Paper", "letter_pdf", "markdown_pdf"]

Paper = Literal["letter", "a4"]

# The core PDF fonts are Latin-1: spell the few other symbols the letters use, so nothing prints as '?'.
LATIN1 = str.maketrans(
    {
        "→": "->",
        "≥": ">=",
        "≤": "<=",
        "—": "-",
        "–": "-",
        "…": "...",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "×": "x",
        "≈": "~",
        "−": "-",
        "·": "-",
        "⚠": "!",
        "✅": "",
        "❌": "",
        "❔": "",
    }
)


def latin1(text: str) -> str:
    return text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")


class _Pages(FPDF):
    """Every page carries the patient's identity and its number; a draft's every page says DRAFT."""

    def __init__(self, paper: Paper, identity: str, draft: bool) -> None:
        super().__init__(format="letter" if paper == "letter" else "A4")
        self.identity = latin1(identity)
        self.draft = draft

    def header(self) -> None:
        if self.draft:
            self.set_font("Helvetica", "B", 9)
            self.set_text_color(170, 0, 0)
            self.cell(0, 5, "DRAFT - NOT FOR SUBMISSION", align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(2)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, self.identity, new_x="LMARGIN", new_y="NEXT")
        marker = "DRAFT - " if self.draft else ""
        self.cell(0, 4, f"{marker}Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def markdown_pdf(sections: Sequence[str], letter: Letter, paper: Paper = "letter") -> bytes:
    """Markdown sections, each from a new page, as PDF bytes; deterministic for the same letter (its creation date
    is the letter's date)."""
    pdf = _Pages(paper, letter.identity, letter.draft)
    pdf.set_creation_date(dt.datetime.combine(letter.assessment.as_of, dt.time(), tzinfo=dt.UTC))
    pdf.set_title(latin1(f"Letter of medical necessity: {letter.side}"))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 16, 20)
    for section in sections:
        pdf.add_page()
        _lay_out(pdf, section)
    return bytes(pdf.output())


def letter_pdf(letter: Letter, paper: Paper = "letter") -> bytes:
    """The letter alone as PDF bytes (US Letter unless `paper` is `a4`)."""
    return markdown_pdf([letter_markdown(letter)], letter, paper)


def _lay_out(pdf: FPDF, markdown: str) -> None:
    for line in markdown.splitlines():
        text = latin1(markdown_plain(line.replace("`", "").replace("**", "")))
        if line.startswith("# "):
            pdf.set_font("Helvetica", "B", 15)
            pdf.multi_cell(0, 8, text[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith(("## ", "### ")):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11 if line.startswith("## ") else 10)
            pdf.multi_cell(0, 6, text.split(" ", 1)[1], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("|"):
            # Split on the table's own pipes only: a `|` from the record is escaped and stays in its cell.
            raw = TABLE_PIPE.split(line.replace("`", "").replace("**", "").strip().strip("|"))
            cells = [latin1(markdown_plain(c)).strip() for c in raw]
            if len(cells) >= 2 and cells[0] and "---" not in cells[0]:
                pdf.set_font("Helvetica", "B", 9.5)
                pdf.cell(48, 5.2, cells[0])
                pdf.set_font("Helvetica", "", 9.5)
                pdf.multi_cell(0, 5.2, "  ".join(cells[1:]), new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("- "):
            pdf.set_font("Helvetica", "", 9.5)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5, "- " + text[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("> "):
            pdf.set_font("Helvetica", "I", 9)
            pdf.set_text_color(122, 74, 0)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 5, text[2:], new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        elif line.strip():
            pdf.set_font("Helvetica", "B" if line.startswith("**") else "", 10)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(2)
