"""docs/episode-format.md documents every field of the episode model: each fact list, each fact's fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from sijpath.domain.episode import EPISODE_FORMAT, Episode, Patient
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.domain.findings import PainPresentation
from sijpath.domain.procedures import Anesthetic, FollowUpPain, SteroidDose

DOC = Path(__file__).resolve().parents[1] / "docs" / "episode-format.md"
NESTED: tuple[type[BaseModel], ...] = (Patient, PainPresentation, Anesthetic, SteroidDose, FollowUpPain)


def _sections() -> dict[str, str]:
    """The text under each heading, by the heading's words (`Top level: Episode`, `DiagnosticBlock`)."""
    parts = re.split(r"^#{2,3} (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    return {
        title.strip().strip("`").replace("`", ""): body for title, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def _rows(body: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_0-9]+)` \|", body, flags=re.M))


def test_the_top_level_table_lists_every_field_of_the_episode() -> None:
    assert _rows(_sections()["Top level: Episode"]) == set(Episode.model_fields)


@pytest.mark.parametrize("model", [entry.model for entry in FACT_LISTS] + list(NESTED), ids=lambda m: m.__name__)
def test_each_fact_and_nested_object_has_a_section_listing_exactly_its_fields(model: type[BaseModel]) -> None:
    sections = _sections()
    assert model.__name__ in sections, f"no section `### {model.__name__}`"
    assert _rows(sections[model.__name__]) == set(model.model_fields), model.__name__


def test_the_document_names_the_current_format_version() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# Episode file format (`{EPISODE_FORMAT}`)"
    assert "### From version 1" in text
