"""The evidence catalog: the shipped sources, and the checks on unknown, duplicate and malformed entries."""

from __future__ import annotations

from pathlib import Path

import pytest

import sijpath.evidence
from sijpath.domain.steroids import MPDE_SOURCES
from sijpath.errors import EvidenceCatalogError, Problem
from sijpath.evidence.catalog import Catalog, Source, parse_catalog

SHIPPED = Path(sijpath.evidence.__file__).parent / "sources.toml"


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped(shipped_text: str) -> Catalog:
    return parse_catalog(shipped_text)


ENTRY = """
[[source]]
id = "{id}"
title = "A title"
issuer = "An issuer"
year = 2024
verification = "primary"
supports = "Something."
"""


def entries(*ids: str) -> str:
    return "".join(ENTRY.format(id=source_id) for source_id in ids)


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(EvidenceCatalogError) as caught:
        parse_catalog(text)
    return caught.value.problems


def test_the_shipped_catalog_parses_with_one_source_per_entry(shipped: Catalog, shipped_text: str) -> None:
    assert len(shipped) == shipped_text.count("\n[[source]]\n")
    assert len(shipped) > 0


@pytest.mark.parametrize("source_id", sorted(set(MPDE_SOURCES.values())))
def test_the_shipped_catalog_has_every_source_the_steroid_table_cites(shipped: Catalog, source_id: str) -> None:
    assert shipped[source_id].id == source_id


@pytest.mark.parametrize("source_id", ["anesthetic-duration-of-action", "dexamethasone-equivalence"])
def test_sources_unverified_in_the_reference_notes_are_marked_unverified(shipped: Catalog, source_id: str) -> None:
    source = shipped[source_id]

    assert source.verification == "unverified"
    assert source.unverified
    assert source.label().endswith(" [UNVERIFIED]")


@pytest.mark.parametrize("source_id", ["seed-injections-dont-work", "seed-injections-not-enough"])
def test_both_source_articles_are_marked_source_article(shipped: Catalog, source_id: str) -> None:
    assert shipped[source_id].verification == "source-article"
    assert not shipped[source_id].unverified


def test_only_the_two_source_articles_are_marked_source_article(shipped: Catalog) -> None:
    articles = {source_id for source_id, source in shipped.items() if source.verification == "source-article"}

    assert articles == {"seed-injections-dont-work", "seed-injections-not-enough"}


def test_a_label_names_authors_and_year() -> None:
    source = Source(
        id="aspn-2024",
        title="ASPN guideline",
        issuer="American Society of Pain and Neuroscience",
        authors="Sayed D, Deer TR, et al.",
        year=2024,
        verification="primary",
        supports="x",
    )

    assert source.label() == "ASPN guideline (Sayed D, Deer TR, et al., 2024)"


def test_a_label_falls_back_to_the_issuer_and_leaves_out_an_unknown_year() -> None:
    source = Source(id="x", title="Notes", issuer="sijpath notes", year=0, verification="unverified", supports="x")

    assert source.label() == "Notes (sijpath notes) [UNVERIFIED]"


def test_a_duplicate_id_is_rejected() -> None:
    problems = problems_of(entries("alpha", "beta", "alpha"))

    assert problems == (Problem("source alpha", "defined more than once"),)


def test_looking_up_an_unknown_id_is_an_error() -> None:
    catalog = parse_catalog(entries("alpha"))

    with pytest.raises(EvidenceCatalogError, match="unknown source id `beta`"):
        catalog["beta"]


def test_check_reports_each_citation_of_an_unknown_source() -> None:
    catalog = parse_catalog(entries("alpha", "beta"))

    with pytest.raises(EvidenceCatalogError) as caught:
        catalog.check([("rule a", "alpha"), ("rule b", "gamma"), ("threshold c", "beta"), ("rule d", "delta")])

    assert caught.value.problems == (
        Problem("rule b", "cites unknown source `gamma`"),
        Problem("rule d", "cites unknown source `delta`"),
    )


def test_check_accepts_citations_of_known_sources() -> None:
    catalog = parse_catalog(entries("alpha", "beta"))

    assert catalog.check([("rule a", "alpha"), ("rule b", "beta")]) is None


def test_an_entry_missing_a_required_field_is_rejected_with_its_index() -> None:
    text = entries("alpha") + ENTRY.format(id="beta").replace('title = "A title"\n', "")

    problems = problems_of(text)

    assert [p.location for p in problems] == ["source[1].title"]


def test_an_entry_with_an_unknown_key_is_rejected_with_its_index() -> None:
    text = ENTRY.format(id="alpha") + 'colour = "red"\n' + entries("beta")

    problems = problems_of(text)

    assert [p.location for p in problems] == ["source[0].colour"]


def test_an_unknown_verification_level_is_rejected() -> None:
    text = ENTRY.format(id="alpha").replace('"primary"', '"peer-reviewed"')

    assert [p.location for p in problems_of(text)] == ["source[0].verification"]


@pytest.mark.parametrize("bad_id", ["Alpha", "-alpha", "alpha beta", "alpha_beta", ""])
def test_a_malformed_id_is_rejected(bad_id: str) -> None:
    assert [p.location for p in problems_of(ENTRY.format(id=bad_id))] == ["source[0].id"]


def test_text_that_is_not_toml_is_rejected_with_its_origin() -> None:
    with pytest.raises(EvidenceCatalogError, match=r"^my-sources\.toml: not valid TOML"):
        parse_catalog("[[source]\nid = ", origin="my-sources.toml")


def test_membership_of_an_unknown_id_is_false() -> None:
    catalog = parse_catalog(entries("alpha"))

    assert "beta" not in catalog
    assert catalog.get("beta") is None
