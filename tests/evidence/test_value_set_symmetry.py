"""The tumour, infection, fracture and inflammatory value sets say the same in ICD-10-CM and SNOMED CT: each concept
screened in one coding is screened in the other, or the table below says why no SNOMED CT concept is catalogued for it.
SNOMED CT codes match exactly (no subsumption offline), so each concept a record may carry is listed by its own id."""

from __future__ import annotations

import pytest

from sijpath.wiring import load_catalog

SHIPPED = load_catalog().value_sets

# Every concept of a value set: its ICD-10-CM prefixes and the SNOMED CT codes for the same concept. A concept with
# no SNOMED CT code names why (the empty tuple must come with a reason); a SNOMED CT code with no ICD-10-CM prefix is
# never allowed. Adding a code to one coding's list without its counterpart here fails the test.
MALIGNANT_ANY_SITE = ("C0", "C1", "C2", "C3", "C40", "C41", "C43", "C45", "C46", "C47", "C48", "C49", "C4A")
MALIGNANT_ANY_SITE += ("C5", "C6", "C7", "C8", "C9")
NO_SCT = "no SNOMED CT concept catalogued"
CONCEPTS: dict[str, list[tuple[str, tuple[str, ...], tuple[str, ...], str]]] = {
    "tumor": [
        ("malignant neoplasm, any site", MALIGNANT_ANY_SITE, ("363346000",), ""),
        ("malignant neoplasm of breast", ("C50",), ("254837009",), ""),
        ("malignant neoplasm of prostate", ("C61",), ("399068003",), ""),
        ("secondary malignant neoplasm of bone", ("C79.5",), ("94222008",), ""),
        ("multiple myeloma", ("C90",), ("109989006",), ""),
        ("benign neoplasm of bone", ("D16",), (), "no SNOMED CT concept catalogued; imaging shows the lesion"),
        ("neoplasm of uncertain behaviour of bone", ("D48.0",), (), NO_SCT),
    ],
    "infection": [
        ("osteomyelitis", ("M86", "M46.2"), ("60168000",), ""),
        ("sepsis", ("A40", "A41"), ("91302008",), ""),
        ("pyogenic and direct joint infection", ("M00", "M01"), (), NO_SCT),
        ("disc infection and other infective spondylopathy", ("M46.3", "M46.4", "M46.5"), (), NO_SCT),
        ("tuberculosis of bones and joints", ("A18.0",), (), NO_SCT),
        ("infection of an orthopaedic implant", ("T84.5", "T84.6", "T84.7"), (), NO_SCT),
        ("cellulitis of the back or buttock", ("L03.31",), (), NO_SCT),
        ("spinal epidural abscess (intraspinal abscess)", ("G06.1",), (), NO_SCT),
        ("infective spondylopathy in other diseases", ("M49.0", "M49.1", "M49.2", "M49.3"), (), NO_SCT),
        ("psoas muscle abscess", ("K68.12",), (), NO_SCT),
        ("bacteraemia", ("R78.81",), ("5758002",), ""),
    ],
    "fracture": [
        ("fracture of lumbar vertebra, sacrum or coccyx", ("S32.0", "S32.1", "S32.2"), (), NO_SCT),
        ("fracture of the pelvis", ("S32.3", "S32.4", "S32.5", "S32.6", "S32.8", "S32.9"), (), NO_SCT),
        (
            "fracture of the hip (femoral neck, pertrochanteric, subtrochanteric)",
            ("S72.0", "S72.1", "S72.2"),
            (),
            NO_SCT,
        ),
        ("osteoporotic fracture of femur, vertebra or pelvis", ("M80.05", "M80.08", "M80.0B"), (), NO_SCT),
        ("other osteoporosis with fracture of femur, vertebra or pelvis", ("M80.85", "M80.88", "M80.8B"), (), NO_SCT),
        ("stress fracture of pelvis, femur or vertebra", ("M84.35", "M84.38"), (), NO_SCT),
        ("pathological fracture of pelvis, femur or vertebra", ("M84.45", "M84.48", "M84.55", "M84.58"), (), NO_SCT),
        ("pathological fracture in other disease", ("M84.65", "M84.68"), (), NO_SCT),
        ("collapsed vertebra", ("M48.5",), (), NO_SCT),
    ],
    "inflammatory-arthropathy": [
        ("ankylosing spondylitis and axial spondyloarthritis", ("M45",), ("9631008", "723116002", "784332006"), ""),
        ("psoriatic arthritis", ("L40.5",), ("33339001", "156370009"), ""),
        ("reactive arthritis", ("M02.1", "M02.3", "M02.8", "M02.9"), ("67224007",), ""),
        ("rheumatoid arthritis", ("M05", "M06"), ("69896004",), ""),
        ("other inflammatory spondylopathy", ("M46.8", "M46.9"), (), NO_SCT),
        ("enteropathic arthropathy", ("M07",), (), NO_SCT),
        ("juvenile ankylosing spondylitis", ("M08.1",), (), "SNOMED CT ankylosing spondylitis is not age-bound"),
    ],
    "generalized-pain-disorder": [
        ("fibromyalgia", ("M79.7",), ("203082005",), ""),
        ("somatic symptom and pain disorders", ("F45.0", "F45.1", "F45.4"), (), NO_SCT),
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


@pytest.mark.parametrize(
    ("value_set_id", "code", "system"),
    [
        ("fracture", "S32.009A", "icd-10-cm"),  # lumbar vertebra
        ("fracture", "S32.2XXA", "icd-10-cm"),  # coccyx
        ("fracture", "S72.002A", "icd-10-cm"),  # femoral neck (hip)
        ("fracture", "M80.052A", "icd-10-cm"),  # age-related osteoporosis with pathological fracture of femur
        ("infection", "G06.1", "icd-10-cm"),  # spinal epidural abscess
        ("infection", "M49.10", "icd-10-cm"),  # brucella spondylitis
        ("infection", "K68.12", "icd-10-cm"),  # psoas abscess
        ("infection", "R78.81", "icd-10-cm"),  # bacteraemia
        ("infection", "5758002", "snomed-ct"),
        ("inflammatory-arthropathy", "M02.38", "icd-10-cm"),  # Reiter's disease, vertebrae
        ("inflammatory-arthropathy", "723116002", "snomed-ct"),  # axial spondyloarthritis
        ("inflammatory-arthropathy", "156370009", "snomed-ct"),  # psoriatic arthritis
    ],
)
def test_a_code_the_value_set_title_covers_falls_in_the_value_set(value_set_id: str, code: str, system: str) -> None:
    positions = SHIPPED.matching_diagnosis(code, system)
    assert value_set_id in {SHIPPED.at(p).id for p in positions}


def test_lupus_is_not_read_into_systemic_arthropathy() -> None:
    # No catalogued source names lupus: eviCore's "systemic arthropathy" is catalogued only as those words.
    assert SHIPPED.matching_diagnosis("M32.9", "icd-10-cm") == ()
    assert SHIPPED.matching_diagnosis("55464009", "snomed-ct") == ()  # systemic lupus erythematosus
