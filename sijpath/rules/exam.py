"""Examination and block criteria that payer rule sets add: provocation cluster, Fortin's point, comparative blocks."""

from __future__ import annotations

from sijpath.domain.examination import latest_fortin, provocation_cluster
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.rules.facts import Facts
from sijpath.rules.policy import criterion
from sijpath.rules.thresholds import required

__all__ = ["COMPARATIVE_BLOCKS", "FORTIN_POINT", "PROVOCATION_CLUSTER"]


def provocation(f: Facts) -> Outcome:
    """At least the required number of the counted provocation tests reproduce the familiar pain."""
    needed = required(f.t.min_positive_provocation_tests_count, "min_positive_provocation_tests_count")
    counted = set(required(f.t.counted_provocation_tests, "counted_provocation_tests"))
    cluster = provocation_cluster([t for t in f.episode.provocation_tests if t.test in counted], f.as_of)
    evidence = [
        Evidence(t.date, f"{t.test}: {t.result.replace('-', ' ')}", f.ref(t, f"provocation_tests[{i}]"))
        for i, t in enumerate(f.episode.provocation_tests)
        if cluster.latest.get(t.test) is t
    ]
    positive = len(cluster.positive)
    if positive >= needed:
        return met(cluster.describe(), evidence)
    untested = sorted(counted - set(cluster.latest))
    if positive + len(untested) < needed:
        return not_met(f"{cluster.describe()}; {needed} needed", evidence)
    return unknown(
        f"{cluster.describe()}; {needed} needed and {len(untested)} not yet examined",
        [f"provocation tests not yet recorded: {', '.join(untested)}"],
        evidence,
    )


def fortin_point(f: Facts) -> Outcome:
    """Fortin finger test: the patient points to the pain just inferomedial to the PSIS."""
    found = latest_fortin(f.episode.fortin_tests, f.as_of)
    if found is None:
        return unknown("Fortin finger test not recorded", ["Fortin finger test (Fortin's point tenderness)"])
    index, fortin = found
    evidence = [
        Evidence(
            fortin.date,
            f"Fortin finger test {'positive' if fortin.positive else 'negative'}",
            f.ref(fortin, f"fortin_tests[{index}]"),
        )
    ]
    if fortin.positive:
        return met(f"Fortin finger test positive on {fortin.date}", evidence)
    return not_met(f"Fortin finger test negative on {fortin.date}", evidence)


def comparative_blocks(f: Facts) -> Outcome:
    """Two positive valid blocks of the same joint with anesthetics of different duration (controlled blocks)."""
    positives = [b for b in f.valid_blocks if f.block_positive(b)]
    evidence = [f.block_evidence(b) for b in f.valid_blocks]
    # "Different duration" is read from the rule set's anesthetic windows (UNVERIFIED durations, cited).
    windows = f.t.anesthetic_window_minutes or {}
    duration = {b.location: max(windows.get(a.drug, 0) for a in b.block.anesthetics) for b in positives}
    for i, first in enumerate(positives):
        for second in positives[i + 1 :]:
            if first.block.side == second.block.side and duration[first.location] != duration[second.location]:
                return met(
                    f"positive blocks {first.block.date} and {second.block.date} with anesthetics of "
                    "different duration",
                    evidence,
                )
    if not f.valid_blocks:
        return unknown("no valid diagnostic block", ["two diagnostic blocks with anesthetics of different duration"])
    return not_met(
        "no two positive blocks of the same joint with different anesthetics",
        evidence,
        ["a comparative block with an anesthetic of different duration"],
    )


PROVOCATION_CLUSTER = criterion(
    "provocation-cluster",
    "Provocation tests reproduce the familiar pain",
    "diagnosis",
    ("laslett-2005", "cms-l39797"),
    ("min_positive_provocation_tests_count", "counted_provocation_tests"),
    provocation,
)
FORTIN_POINT = criterion(
    "fortin-point", "Fortin's point tenderness", "diagnosis", ("fortin-1997", "cms-mis-fusion-lcd"), (), fortin_point
)
COMPARATIVE_BLOCKS = criterion(
    "comparative-blocks",
    "Controlled comparative blocks with two anesthetics",
    "confirmation",
    ("bcbs-fl-mp-558", "simopoulos-2012", "anesthetic-duration-of-action"),
    ("anesthetic_window_minutes",),
    comparative_blocks,
)
