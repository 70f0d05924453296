"""The letters the web app's prior-authorization pages show and download, made by `sijpath.documents`."""

from __future__ import annotations

from typing import Literal

from sijpath.documents.letter import Letter, build_letter
from sijpath.documents.letter_text import letter_markdown, markdown_fragment
from sijpath.web.letter_service import LetterRequest, LetterView

__all__ = ["DocumentLetters"]


class DocumentLetters:
    """A `sijpath.web.letter_service.LetterWriter` over the documents package."""

    def _letter(self, r: LetterRequest) -> Letter:
        return build_letter(
            r.assessment,
            r.unit,
            r.ruleset,
            r.procedure,
            True,
            episode=r.episode,
            practice=r.practice,
            narrative=r.narrative,
        )

    def view(self, request: LetterRequest) -> LetterView:
        letter = self._letter(request)
        return LetterView(markdown_fragment(letter_markdown(letter), top=3), letter.draft)

    def pdf(self, request: LetterRequest, paper: Literal["letter", "a4"], packet: bool) -> bytes:
        from sijpath.documents import pdf  # fpdf2 loads only when a PDF is asked for
        from sijpath.documents.packet import packet_sections

        letter = self._letter(request)
        return pdf.markdown_pdf(packet_sections(letter), letter, paper) if packet else pdf.letter_pdf(letter, paper)
