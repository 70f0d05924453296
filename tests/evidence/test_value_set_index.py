"""The value sets' index finds exactly the sets a brute-force match over every set finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sijpath.evidence.value_sets import ValueSet, ValueSets
from sijpath.wiring import load_catalog

SHIPPED = load_catalog().value_sets
ALL_PREFIXES = sorted({p for v in SHIPPED.values() for p in v.icd10cm_prefixes})
ALL_SNOMED = sorted({c for v in SHIPPED.values() for c in v.snomed_codes})

# Codes near the shipped prefixes (a prefix, a prefix with more characters, a shorter stem), and random ones.
codes = st.one_of(
    st.sampled_from(ALL_PREFIXES),
    st.builds(lambda p, tail: p + tail, st.sampled_from(ALL_PREFIXES), st.text("0123456789AX.", max_size=4)),
    st.builds(lambda p, n: p[:n], st.sampled_from(ALL_PREFIXES), st.integers(1, 6)),
    st.from_regex(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?", fullmatch=True),
)


def brute_force(value_sets: ValueSets, code: str, system: str) -> tuple[int, ...]:
    ordered = list(value_sets.values())
    if system == "snomed-ct":
        return tuple(i for i, v in enumerate(ordered) if code in v.snomed_codes)
    return tuple(i for i, v in enumerate(ordered) if v.matches_icd10cm(code))


@given(codes)
def test_an_icd10cm_code_falls_in_the_same_value_sets_as_a_match_against_every_set(code: str) -> None:
    assert sorted(set(SHIPPED.matching_diagnosis(code, "icd-10-cm"))) == list(brute_force(SHIPPED, code, "icd-10-cm"))


@given(st.one_of(st.sampled_from(ALL_SNOMED), st.from_regex(r"[0-9]{6,9}", fullmatch=True)))
def test_a_snomed_code_falls_in_the_same_value_sets_as_a_match_against_every_set(code: str) -> None:
    assert SHIPPED.matching_diagnosis(code, "snomed-ct") == brute_force(SHIPPED, code, "snomed-ct")


def test_a_set_holding_a_family_and_a_code_inside_it_is_found_for_the_code_and_the_family_only_once_each() -> None:
    family = ValueSet(
        id="demo",
        title="Demo",
        kind="caution",
        work_up="Consider a review.",
        icd10cm_prefixes=("M45", "M45.9"),
        cites=("x",),
    )
    other = ValueSet(
        id="other", title="Other", kind="caution", work_up="Consider.", icd10cm_prefixes=("M4",), cites=("x",)
    )
    value_sets = ValueSets([family, other])
    assert sorted(set(value_sets.matching_diagnosis("M45.9", "icd-10-cm"))) == [0, 1]
    assert value_sets.matching_diagnosis("M46.1", "icd-10-cm") == (1,)
    assert value_sets.matching_diagnosis("M", "icd-10-cm") == ()


def test_contraindication_kinds_and_imaging_findings_are_found_by_the_sets_that_list_them() -> None:
    for position, value_set in enumerate(SHIPPED.values()):
        for kind in value_set.contraindication_kinds:
            assert position in SHIPPED.matching_contraindication(kind)
        for region in value_set.imaging_regions:
            for finding in value_set.imaging_findings:
                assert position in SHIPPED.matching_finding(region, finding)
        assert SHIPPED.at(position) is value_set
