"""Measurements shown with every assessment: values worked out by hand, and their sources."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import PainPresentation, ProvocationTest
from sijpath.domain.procedures import SteroidDose, TherapeuticInjection
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 11, 1)


def measurements(episode: Episode, source_articles) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assessment = evaluate(episode, source_articles, AS_OF)
    return {m.name: m.value for m, _ in assessment.units[0].measurements}


def test_zero_positive_provocation_tests_is_zero_not_missing(source_articles) -> None:  # type: ignore[no-untyped-def]
    episode = Episode(
        patient=Patient(id="p"),
        pain=PainPresentation(laterality="left"),
        provocation_tests=(ProvocationTest(date=dt.date(2026, 1, 1), test="faber", result="no-pain"),),
    )
    assert measurements(episode, source_articles)["positive-provocation-tests"] == 0
    assert (
        measurements(Episode(patient=Patient(id="p"), pain=PainPresentation(laterality="left")), source_articles)[
            "positive-provocation-tests"
        ]
        is None
    )


def test_steroid_totals_in_mpde_over_rolling_windows(source_articles) -> None:  # type: ignore[no-untyped-def]
    # betamethasone 6 mg = 40 mg MPDE (4 / 0.6 × 6); dexamethasone 7.5 mg = 40 mg (4 / 0.75 × 7.5);
    # triamcinolone 80 mg on 2024-01-10 is inside 36 months but not 12.
    episode = Episode(
        patient=Patient(id="p"),
        pain=PainPresentation(laterality="left"),
        therapeutic_injections=(
            TherapeuticInjection(
                date=dt.date(2024, 1, 10), side="left", steroid=SteroidDose(drug="triamcinolone", dose_mg=80)
            ),
            TherapeuticInjection(
                date=dt.date(2026, 2, 1), side="left", steroid=SteroidDose(drug="betamethasone", dose_mg=6)
            ),
            TherapeuticInjection(
                date=dt.date(2026, 6, 1), side="left", steroid=SteroidDose(drug="dexamethasone", dose_mg=7.5)
            ),
        ),
    )
    assessment = evaluate(episode, source_articles, AS_OF)
    values = {m.name: m.value for m, _ in assessment.units[0].measurements}
    assert values["steroid-mpde-12-months"] == 80.0
    assert values["steroid-mpde-36-months"] == 160.0
    assert values["therapeutic-injections-12-months"] == 2
    cites = {m.name: [s.id for s in sources] for m, sources in assessment.units[0].measurements}
    assert cites["steroid-mpde-12-months"] == ["asipp-steroid-equivalence", "dexamethasone-equivalence"]
    assert "dexamethasone-equivalence" in [s.id for s in assessment.unverified_sources]


def test_measurements_are_in_a_fixed_order(source_articles) -> None:  # type: ignore[no-untyped-def]
    names = [
        m.name
        for m, _ in evaluate(
            Episode(patient=Patient(id="p"), pain=PainPresentation(laterality="left")), source_articles, AS_OF
        )
        .units[0]
        .measurements
    ]
    assert names == [
        "positive-provocation-tests",
        "fortin-finger-test",
        "latest-valid-block-relief",
        "conservative-care",
        "therapeutic-injections-12-months",
        "shortest-injection-interval-12-months",
        "steroid-mpde-12-months",
        "steroid-mpde-36-months",
        "latest-odi",
        "tobacco",
    ]
