"""Letters as PDF (fpdf2, core fonts): the Markdown letter laid out on A4, with symbols spelled in Latin-1."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

from sijpath.documents.letter import UNESCAPED_PIPE, Letter, letter_markdown
from sijpath.markup import markdown_plain

__all__ = ["letter_pdf"]

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


def _latin1(text: str) -> str:
    return text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")


def letter_pdf(letter: Letter) -> bytes:
    """The letter as PDF bytes; deterministic for the same letter (its creation date is the letter's date)."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(letter.assessment.as_of, dt.time(), tzinfo=dt.UTC))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    for line in letter_markdown(letter).splitlines():
        text = _latin1(markdown_plain(line.replace("`", "").replace("**", "")))
        if line.startswith("# "):
            pdf.set_font("Helvetica", "B", 15)
            pdf.multi_cell(0, 8, text[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 6, text[3:], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("|"):
            raw = UNESCAPED_PIPE.split(line.replace("`", "").replace("**", "").strip("|"))
            cells = [_latin1(markdown_plain(c)).strip() for c in raw]
            if len(cells) == 2 and cells[0] and "---" not in cells[0]:
                pdf.set_font("Helvetica", "B", 10)
                pdf.cell(52, 5.5, cells[0])
                pdf.set_font("Helvetica", "", 10)
                pdf.multi_cell(0, 5.5, cells[1], new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("- "):
            pdf.set_font("Helvetica", "", 9.5)
            pdf.set_x(24)
            pdf.multi_cell(0, 5, "- " + text[2:], new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            pdf.set_font("Helvetica", "B" if line.startswith("**") else "", 10)
            pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(2)
    return bytes(pdf.output())
