"""Published results beside the cohort: the shipped file parses against the catalog, and a broken one is refused."""

from __future__ import annotations

import pytest

from sijpath import wiring
from sijpath.errors import EvidenceCatalogError
from sijpath.outcomes.published import parse_published
from sijpath.outcomes.responders import THRESHOLDS
from sijpath.outcomes.schedule import PROCEDURES, SCHEDULES

ENTRY = """
[[result]]
source = "insite-polly-2016"
procedure = "fusion"
time_point = "24m"
measure = "odi-change"
value = -30.5
low = -34
high = -27
n = 102
population = "adults"
design = "RCT"
funding = "manufacturer"
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(EvidenceCatalogError) as caught:
        parse_published(text, ["insite-polly-2016"], "test.toml")
    assert "test.toml" in str(caught.value)
    return [str(p) for p in caught.value.problems]


def test_an_entry_parses_with_its_n_interval_and_context() -> None:
    [result] = parse_published(ENTRY, ["insite-polly-2016"])
    assert (result.value, result.low, result.high, result.n) == (-30.5, -34.0, -27.0, 102)
    assert (result.population, result.design, result.funding) == ("adults", "RCT", "manufacturer")


def test_n_and_interval_may_be_left_out() -> None:
    text = ENTRY.replace("n = 102\n", "").replace("low = -34\nhigh = -27\n", "")
    [result] = parse_published(text, ["insite-polly-2016"])
    assert (result.n, result.low, result.high) == (0, None, None)


def test_the_shipped_results_cite_the_catalog_and_name_real_procedures_and_measures() -> None:
    results = wiring.load_published_results()
    assert results
    thresholds = {f"responder:{t.id}" for t in THRESHOLDS}
    measures = {"odi-change", "opioid-use", "bridging", "revision", "relief-50"} | thresholds
    for r in results:
        assert r.procedure in PROCEDURES
        assert r.measure in measures, r.measure
        assert r.population
        assert r.funding
    fusion_points = {t.code for t in SCHEDULES["fusion"]}
    assert any(r.time_point in fusion_points for r in results if r.procedure == "fusion")


def test_an_unknown_source_is_refused() -> None:
    assert _problems(ENTRY.replace("insite-polly-2016", "made-up-2030")) == [
        "result[0].source: unknown source `made-up-2030`"
    ]


def test_missing_context_is_refused_naming_each_field() -> None:
    text = ENTRY.replace('population = "adults"\n', "").replace('funding = "manufacturer"\n', "")
    assert _problems(text) == ["result[0].population: required text", "result[0].funding: required text"]


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (("value = -30.5\n", ""), "result[0].value"),
        (("value = -30.5", 'value = "large"'), "result[0].value"),
        (("n = 102", "n = 10.5"), "result[0].n"),
        (("low = -34", 'low = "x"'), "result[0].low"),
    ],
)
def test_a_missing_or_non_numeric_number_is_refused_naming_it(change: tuple[str, str], location: str) -> None:
    problems = _problems(ENTRY.replace(*change))
    assert [p.split(":")[0] for p in problems] == [location]


def test_text_that_is_not_toml_is_refused_naming_the_file() -> None:
    with pytest.raises(EvidenceCatalogError, match=r"^test\.toml: not valid TOML"):
        parse_published("[[result]\n", [], "test.toml")
