"""The tumour, infection and inflammatory value sets say the same in ICD-10-CM and SNOMED CT: each concept screened
in one coding is screened in the other, or the table below says why no SNOMED CT concept is catalogued for it."""

from __future__ import annotations

import pytest

from sijpath.wiring import load_catalog

SHIPPED = load_catalog().value_sets

# Every concept of a value set: its ICD-10-CM prefixes and the SNOMED CT codes for the same concept. A concept with
# no SNOMED CT code names why (the empty tuple must come with a reason); a SNOMED CT code with no ICD-10-CM prefix is
# never allowed. Adding a code to one coding's list without its counterpart here fails the test.
MALIGNANT_ANY_SITE = ("C0", "C1", "C2", "C3", "C40", "C41", "C43", "C45", "C46", "C47", "C48", "C49", "C4A")
MALIGNANT_ANY_SITE += ("C5", "C6", "C7", "C8", "C9")
CONCEPTS: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...], str]]] = {
    "tumor": [
        ("malignant neoplasm, any site", MALIGNANT_ANY_SITE, ("363346000",), ""),
        ("malignant neoplasm of breast", ("C50",), ("254837009",), ""),
        ("malignant neoplasm of prostate", ("C61",), ("399068003",), ""),
        ("secondary malignant neoplasm of bone", ("C79.5",), ("94222008",), ""),
        ("multiple myeloma", ("C90",), ("109989006",), ""),
        ("benign neoplasm of bone", ("D16",), (), "no SNOMED CT concept catalogued; imaging shows the lesion"),
        ("neoplasm of uncertain behaviour of bone", ("D48.0",), (), "no SNOMED CT concept catalogued"),
    ],
    "infection": [
        ("osteomyelitis", ("M86", "M46.2"), ("60168000",), ""),
        ("sepsis", ("A40", "A41"), ("91302008",), ""),
        ("pyogenic and direct joint infection", ("M00", "M01"), (), "no SNOMED CT concept catalogued"),
        ("disc infection and other infective spondylopathy", ("M46.3", "M46.4", "M46.5"), (), "none catalogued"),
        ("tuberculosis of bones and joints", ("A18.0",), (), "no SNOMED CT concept catalogued"),
        ("infection of an orthopaedic implant", ("T84.5", "T84.6", "T84.7"), (), "no SNOMED CT concept catalogued"),
        ("cellulitis of the back or buttock", ("L03.31",), (), "no SNOMED CT concept catalogued"),
    ],
    "inflammatory-arthropathy": [
        ("ankylosing spondylitis", ("M45",), ("9631008",), ""),
        ("psoriatic arthritis", ("L40.5",), ("33339001",), ""),
        ("rheumatoid arthritis", ("M05", "M06"), ("69896004",), ""),
        ("other inflammatory spondylopathy", ("M46.8", "M46.9"), (), "no SNOMED CT concept catalogued"),
        ("enteropathic arthropathy", ("M07",), (), "no SNOMED CT concept catalogued"),
        ("juvenile ankylosing spondylitis", ("M08.1",), (), "SNOMED CT ankylosing spondylitis is not age-bound"),
    ],
    "generalized-pain-disorder": [
        ("fibromyalgia", ("M79.7",), ("203082005",), ""),
        ("somatic symptom and pain disorders", ("F45.0", "F45.1", "F45.4"), (), "no SNOMED CT concept catalogued"),
    ],
}


@pytest.mark.parametrize("value_set_id", sorted(CONCEPTS))
def test_the_value_set_screens_the_same_concepts_in_icd10cm_and_snomed_ct(value_set_id: str) -> None:
    value_set = SHIPPED[value_set_id]
    concepts = CONCEPTS[value_set_id]
    icd = {p for _, prefixes, _, _ in concepts for p in prefixes}
    snomed = {c for _, _, codes, _ in concepts for c in codes}
    assert set(value_set.icd10cm_prefixes) <= icd, "an ICD-10-CM prefix without its concept (and SNOMED CT code)"
    assert set(value_set.snomed_codes) == snomed, "a SNOMED CT code without its concept (and ICD-10-CM prefix)"
    for name, prefixes, codes, why in concepts:
        assert prefixes, f"{name}: a SNOMED CT concept with no ICD-10-CM prefix"
        assert all(value_set.matches_icd10cm(p) for p in prefixes), f"{name}: its ICD-10-CM family is not screened"
        assert codes or why, f"{name}: an ICD-10-CM family with no SNOMED CT code and no reason"


@pytest.mark.parametrize(
    ("icd10cm", "snomed"),
    [("C50.911", "254837009"), ("C61", "399068003"), ("C79.51", "94222008"), ("C90.00", "109989006")],
)
def test_a_malignancy_is_a_tumour_red_flag_in_either_coding(icd10cm: str, snomed: str) -> None:
    tumour = SHIPPED["tumor"]
    assert tumour.matches_icd10cm(icd10cm)
    assert snomed in tumour.snomed_codes


def test_non_melanoma_skin_cancer_is_not_a_tumour_red_flag() -> None:
    assert not SHIPPED["tumor"].matches_icd10cm("C44.91")
