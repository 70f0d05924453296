"""The computed facts shown with every joint's assessment: examination, blocks, care, injections, steroids, function."""

from __future__ import annotations

from sijpath.domain.examination import latest_fortin, provocation_cluster
from sijpath.domain.injections import injections_in_window
from sijpath.domain.steroids import MPDE_SOURCES, SteroidExposure
from sijpath.domain.timeline import latest
from sijpath.engine.results import Measurement
from sijpath.pathway.facts import JointFacts

__all__ = ["measure"]


def measure(f: JointFacts) -> tuple[Measurement, ...]:
    """Measurements in a fixed order, rounded for stable output; None where the record cannot give a value."""
    episode, as_of = f.episode, f.as_of
    cluster = provocation_cluster(f.record.provocation_tests, as_of)
    found_fortin = latest_fortin(f.record.fortin_tests, as_of)
    fortin = found_fortin[1] if found_fortin else None
    valid = f.valid_blocks
    window = injections_in_window([r.injection for r in f.injections], f.injection_intervals, as_of, 12)
    exposure_12, exposure_36 = f.patient.exposure(12), f.patient.exposure(36)
    care = f.care
    odi = (latest(episode.odi_scores) or (0, None))[1]
    tobacco = (latest(episode.tobacco) or (0, None))[1]
    shortest = window.shortest_interval_days
    return (
        Measurement(
            "positive-provocation-tests",
            len(cluster.positive) if cluster.examined else None,
            "tests",
            cluster.describe(),
            ("laslett-2005",),
        ),
        Measurement(
            "fortin-finger-test",
            None if fortin is None else ("positive" if fortin.positive else "negative"),
            "",
            f"Fortin finger test {fortin.date}" if fortin else "no Fortin finger test recorded",
            ("fortin-1997",),
        ),
        Measurement(
            "latest-valid-block-relief",
            round(valid[-1].relief_percent or 0, 1) if valid else None,
            "%",
            valid[-1].describe() if valid else "no block that meets the technique requirements",
        ),
        Measurement(
            "conservative-care",
            round(care.months, 1) if care.start else None,
            "months",
            f"{care.start} → {care.latest}" if care.start else "no conservative care recorded",
        ),
        Measurement(
            "therapeutic-injections-12-months",
            window.count,
            "injections",
            "therapeutic injections of this joint in the rolling 12 months to the as-of date",
        ),
        Measurement(
            "shortest-injection-interval-12-months",
            round(shortest / 7, 1) if shortest is not None else None,
            "weeks",
            "shortest gap between injections of this joint in the rolling 12 months",
        ),
        Measurement(
            "steroid-mpde-12-months",
            round(exposure_12.total_mg, 1),
            "mg",
            exposure_12.describe(),
            _equivalence(exposure_12),
        ),
        Measurement(
            "steroid-mpde-36-months",
            round(exposure_36.total_mg, 1),
            "mg",
            exposure_36.describe(),
            _equivalence(exposure_36),
        ),
        Measurement("latest-odi", odi.percent if odi else None, "%", f"ODI {odi.date}" if odi else "no ODI recorded"),
        Measurement(
            "tobacco",
            tobacco.status if tobacco else None,
            "",
            (
                f"{tobacco.date}"
                + (f", cotinine {tobacco.cotinine_ng_per_ml:g} ng/mL" if tobacco.cotinine_ng_per_ml is not None else "")
            )
            if tobacco
            else "smoking status not recorded",
        ),
    )


def _equivalence(exposure: SteroidExposure) -> tuple[str, ...]:
    """The dose-equivalence sources behind a total: only those of the steroids actually given."""
    return tuple(sorted({MPDE_SOURCES[dose.drug] for _, _, dose in exposure.doses}))
