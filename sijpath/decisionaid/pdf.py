"""The decision aid as PDF (fpdf2, core fonts): the Markdown aid on A4, every outcome with a number as an icon array."""

from __future__ import annotations

import datetime as dt

from fpdf import FPDF

from sijpath.decisionaid.aid import SHORT_NAMES, Aid
from sijpath.decisionaid.evidence import OutcomeRow
from sijpath.decisionaid.render import aid_markdown, row_sentences

__all__ = ["aid_pdf"]

_HEADING_SIZES = {"# ": 15.0, "## ": 12.0, "### ": 10.5}


def _latin1(text: str) -> str:
    # Core PDF fonts are Latin-1; anything else is spelled out or replaced so nothing breaks the page.
    spelled = text.replace("≥", ">=").replace("≤", "<=").replace("—", "-").replace("–", "-").replace("’", "'")
    return spelled.replace("**", "").encode("latin-1", "replace").decode("latin-1")


def _icons(pdf: FPDF, count: int) -> None:
    top, left = pdf.get_y(), pdf.l_margin
    for i in range(100):
        pdf.set_fill_color(*((31, 95, 139) if i < count else (217, 217, 217)))
        pdf.ellipse(left + (i % 10) * 3.2, top + (i // 10) * 3.2, 2.6, 2.6, style="F")
    pdf.set_y(top + 33)


def _picture(pdf: FPDF, row: OutcomeRow) -> None:
    n = row.per_100() or 0
    pdf.set_font("Helvetica", "", 9.5)
    words = f"{SHORT_NAMES[row.option]}, {row.kind}: {n} out of 100 people, {row.time_frame} - {row.outcome}"
    pdf.multi_cell(0, 5.5, _latin1(words), new_x="LMARGIN", new_y="NEXT")
    _icons(pdf, n)


def aid_pdf(aid: Aid) -> bytes:
    """The aid as PDF bytes; deterministic for the same aid (its creation date is the aid's date). Each outcome told
    with a number, benefit or harm, is followed by its icon array, as in the HTML aid."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(aid.made_on, dt.time(), tzinfo=dt.UTC))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    rows = [row for option in aid.options for row in (*option.benefits, *option.harms) if row.known]
    pictured = {f"- {row_sentences(row)}": row for row in rows}
    for line in aid_markdown(aid).splitlines():
        mark = next((m for m in ("### ", "## ", "# ") if line.startswith(m)), None)
        pdf.set_font("Helvetica", "B" if mark else "", _HEADING_SIZES[mark] if mark else 9.5)
        if line:
            pdf.multi_cell(0, 5.5, _latin1(line[len(mark) :] if mark else line), new_x="LMARGIN", new_y="NEXT")
        if line in pictured:
            _picture(pdf, pictured[line])
    return bytes(pdf.output())
