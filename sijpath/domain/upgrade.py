"""Rewriting a version-1 episode document as version 2: its text kept as written, and what now reads differently."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sijpath.domain.document import DocumentFormat, load_document, parse_episode
from sijpath.domain.episode import EPISODE_FORMAT
from sijpath.errors import EpisodeValidationError

__all__ = ["EpisodeUpgrade", "upgrade_episode_text"]

V1 = "sijpath-episode/1"
_FORMAT_LINE = re.compile(r"""^(\s*["']?format["']?\s*:\s*["']?)sijpath-episode/1(["']?)""", re.M)
_SIJ_REGIONS = ("sij", "pelvis")


@dataclass(frozen=True, slots=True)
class EpisodeUpgrade:
    """The upgraded text (the input's, when there was nothing to change) and one note per fact that reads
    differently in version 2, each naming the field to record."""

    text: str
    changed: bool
    notes: tuple[str, ...]


def upgrade_episode_text(text: str, document_format: DocumentFormat, origin: str = "<input>") -> EpisodeUpgrade:
    """Upgrade a valid episode document to version 2.

    Only the format marker changes: comments, order and layout stay as written. Version 1 read an omitted physical
    therapy setting as supervised and an omitted ablation technique as conventional; version 2 reads both as not
    recorded, and the upgrade does not write the old defaults in (nobody recorded them). The notes say so per fact,
    and name SI-joint imaging without a side, which version 2 can place on a joint once its side is recorded.
    """
    before = parse_episode(text, document_format, origin)  # an invalid document is not upgraded
    data: dict[str, Any] = load_document(text, document_format, origin)
    if before.format == EPISODE_FORMAT and data.get("format") == EPISODE_FORMAT:
        return EpisodeUpgrade(text, False, (f"{origin} is already {EPISODE_FORMAT}",))
    upgraded = _with_v2_marker(text, document_format, "format" in data)
    after = parse_episode(upgraded, document_format, origin)
    if after.model_copy(update={"format": before.format}) != before:
        raise EpisodeValidationError(f"{origin}: the upgraded document reads differently; not upgraded")
    return EpisodeUpgrade(upgraded, True, tuple(_notes(data)))


def _with_v2_marker(text: str, document_format: DocumentFormat, has_marker: bool) -> str:
    if has_marker:
        upgraded, count = _FORMAT_LINE.subn(rf"\g<1>{EPISODE_FORMAT}\g<2>", text, count=1)
        if count == 1:
            return upgraded
        if document_format == "json":  # a one-line JSON document
            return text.replace(f'"{V1}"', f'"{EPISODE_FORMAT}"', 1)
        raise EpisodeValidationError("the format marker is not on a line of its own; change it by hand")
    if document_format == "json":
        brace = text.index("{")
        return f'{text[: brace + 1]}\n  "format": "{EPISODE_FORMAT}",{text[brace + 1 :]}'
    return f"format: {EPISODE_FORMAT}\n{text}"


def _notes(data: dict[str, Any]) -> list[str]:
    notes = []
    for index, course in enumerate(_entries(data, "physical_therapy")):
        if "setting" not in course:
            notes.append(
                f"physical_therapy[{index}].setting: not recorded. Version 1 read it as supervised; version 2 reads "
                "it as not recorded, so a rule set that requires supervised therapy finds it unknown. Record "
                "`supervised` or `home-program` if known."
            )
    for index, ablation in enumerate(_entries(data, "radiofrequency_ablations")):
        if "technique" not in ablation:
            notes.append(
                f"radiofrequency_ablations[{index}].technique: not recorded. Version 1 read it as conventional; "
                "version 2 reads it as not recorded. Record `conventional`, `cooled`, `pulsed` or `other` if known."
            )
    for index, study in enumerate(_entries(data, "imaging")):
        if study.get("region") in _SIJ_REGIONS and study.get("side") is None:
            notes.append(
                f"imaging[{index}].side: not recorded. SI-joint imaging without a side can argue against a "
                "procedure on either joint but supports neither; record `left`, `right` or `bilateral`."
            )
    return notes


def _entries(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    found = data.get(name)
    return [entry for entry in found if isinstance(entry, dict)] if isinstance(found, list) else []
