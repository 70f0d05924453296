"""Upgrading a version-1 episode document: only the marker changes, and what reads differently is named."""

from __future__ import annotations

import orjson
import pytest

from sijpath.domain.document import parse_episode
from sijpath.domain.upgrade import upgrade_episode_text
from sijpath.errors import EpisodeValidationError

V1_YAML = """\
# A v1 episode: comments and layout must survive.
format: sijpath-episode/1
patient: {id: p1, sex: female}
pain: {laterality: left}
imaging:
  - {date: 2025-01-02, modality: ct, region: sij, findings: [normal]}
  - {date: 2025-01-02, modality: mri, region: lumbar, findings: [normal]}
  - {date: 2025-01-03, modality: ct, region: sij, side: left, findings: [normal]}
physical_therapy:
  - {start_date: 2025-02-01, sessions: 12}   # setting omitted: v1 read it as supervised
  - {start_date: 2025-05-01, setting: home-program}
radiofrequency_ablations:
  - {date: 2025-06-01, side: left}
"""


def test_a_v1_yaml_document_keeps_its_text_and_gets_the_v2_marker() -> None:
    result = upgrade_episode_text(V1_YAML, "yaml")
    assert result.changed
    assert result.text == V1_YAML.replace("sijpath-episode/1", "sijpath-episode/2")
    assert parse_episode(result.text, "yaml").format == "sijpath-episode/2"


def test_each_fact_that_reads_differently_in_v2_is_named_with_the_field_to_record() -> None:
    notes = upgrade_episode_text(V1_YAML, "yaml").notes
    assert [n.split(":")[0] for n in notes] == [
        "physical_therapy[0].setting",
        "radiofrequency_ablations[0].technique",
        "imaging[0].side",
    ]
    assert "Version 1 read it as supervised" in notes[0]


def test_the_old_defaults_are_not_written_in_as_if_recorded() -> None:
    upgraded = parse_episode(upgrade_episode_text(V1_YAML, "yaml").text, "yaml")
    assert upgraded.physical_therapy[0].setting is None
    assert upgraded.radiofrequency_ablations[0].technique is None


def test_a_v2_document_is_left_as_it_is() -> None:
    text = V1_YAML.replace("sijpath-episode/1", "sijpath-episode/2")
    result = upgrade_episode_text(text, "yaml")
    assert not result.changed
    assert result.text == text
    assert result.notes == ("<input> is already sijpath-episode/2",)


def test_an_unmarked_yaml_document_gets_the_marker_on_top() -> None:
    text = "patient: {id: p2}\n"
    result = upgrade_episode_text(text, "yaml")
    assert result.text == "format: sijpath-episode/2\n" + text
    assert result.notes == ()


@pytest.mark.parametrize(
    "document",
    [
        {"format": "sijpath-episode/1", "patient": {"id": "p3"}},
        {"patient": {"id": "p3"}, "physical_therapy": [{"start_date": "2025-01-01"}]},
    ],
)
@pytest.mark.parametrize("indent", [False, True], ids=["one-line", "indented"])
def test_json_documents_upgrade_with_or_without_a_marker(document: dict[str, object], indent: bool) -> None:
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2 if indent else 0).decode()
    result = upgrade_episode_text(text, "json")
    assert orjson.loads(result.text) == {**document, "format": "sijpath-episode/2"}


def test_an_invalid_document_is_refused_with_its_problems() -> None:
    with pytest.raises(EpisodeValidationError) as raised:
        upgrade_episode_text("format: sijpath-episode/1\npatient: {id: p4}\npain: {laterality: up}\n", "yaml")
    assert [p.location for p in raised.value.problems] == ["pain.laterality"]
