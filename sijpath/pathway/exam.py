"""Examination and block criteria that payer rule sets add: provocation cluster, Fortin's point, comparative blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sijpath.domain.examination import latest_fortin, provocation_cluster
from sijpath.domain.findings import FortinFingerTest, ProvocationTest
from sijpath.engine.results import Evidence, Outcome, met, not_met, unknown
from sijpath.engine.rule import Criterion, Gate, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.facts import JointFacts

__all__ = ["COMPARATIVE_BLOCKS", "FORTIN_POINT", "PROVOCATION_CLUSTER"]

Finding = TypeVar("Finding", ProvocationTest, FortinFingerTest)


def unsided_exam(j: JointFacts, findings: Sequence[ProvocationTest | FortinFingerTest]) -> list[str]:
    """The missing-data line when findings of the record without a side count for no assessed joint, worded for
    why: the side of the pain is not recorded, the pain is on both sides, or (one-sided pain) they are read as the
    painful side's and this joint is the other one. Findings recorded for the other side are not missing data."""
    if not any(f.side is None for f in findings):
        return []
    pain = j.episode.pain.laterality
    if pain is None:
        why = "the side of the pain is not recorded, so a finding without a side counts for neither joint"
    elif pain == "bilateral":
        why = "the pain is on both sides, so a finding without a side counts for neither joint"
    elif pain == j.joint:
        return []  # a finding without a side is this painful joint's already
    else:
        why = f"a finding without a side is read as the painful {pain} side's, not this joint's"
    return [f"the side of each examination finding ({why})"]


def current_findings(j: JointFacts, findings: Sequence[Finding]) -> list[Finding]:
    """Findings inside the examination currency window (sijpath's reading): an older exam is not current."""
    window = j.patient.window(j.t[th.MAX_EXAM_AGE_MONTHS])
    return [f for f in findings if f.date in window]


def stale_exam(j: JointFacts, findings: Sequence[ProvocationTest | FortinFingerTest], what: str) -> list[str]:
    """The remedy for findings of this joint that are older than the currency window, if there are any."""
    months = j.t[th.MAX_EXAM_AGE_MONTHS]
    window = j.patient.window(months)
    old = [f.date for f in findings if f.date <= j.as_of and f.date not in window]
    if not old:
        return []
    return [f"a repeat examination of this joint ({what}): the last on {max(old)} is more than {months} months old"]


def provocation(j: JointFacts, o: Outcomes) -> Outcome:
    """At least the required number of the counted provocation tests of this joint, examined within the currency
    window, reproduce the familiar pain."""
    needed = j.t[th.MIN_POSITIVE_PROVOCATION_TESTS_COUNT]
    counted = set(j.t[th.COUNTED_PROVOCATION_TESTS])
    tests = [t for t in j.record.provocation_tests if t.test in counted]
    current = current_findings(j, tests)
    cluster = provocation_cluster(current, j.as_of)
    evidence = [
        Evidence(t.date, f"{t.test}: {t.result.replace('-', ' ')}", j.where(t, "provocation_tests"))
        for t in current
        if cluster.latest.get(t.test) is t
    ]
    positive = len(cluster.positive)
    if positive >= needed:
        return met(cluster.describe(), evidence)
    untested = sorted(counted - set(cluster.latest))
    if positive + len(untested) < needed:
        return not_met(f"{cluster.describe()}; {needed} needed", evidence)
    stale = stale_exam(j, [t for t in tests if t.test in untested], "provocation tests")
    missing = stale or [f"provocation tests of this joint not yet recorded: {', '.join(untested)}"]
    missing += unsided_exam(j, j.episode.provocation_tests)
    found = cluster.describe() if cluster.latest or not stale else "no provocation tests within the currency window"
    examined = "not examined within the currency window" if stale else "not yet examined"
    return unknown(f"{found}; {needed} needed and {len(untested)} {examined}", missing, evidence)


def fortin_point(j: JointFacts, o: Outcomes) -> Outcome:
    """Fortin finger test within the currency window: the patient points to the pain just inferomedial to this
    side's PSIS."""
    tests = current_findings(j, j.record.fortin_tests)
    found = latest_fortin(tests, j.as_of)
    if found is None:
        stale = stale_exam(j, j.record.fortin_tests, "Fortin finger test")
        if stale:
            return unknown("Fortin finger test of this side not recorded within the currency window", stale)
        missing = ["Fortin finger test (Fortin's point tenderness)", *unsided_exam(j, j.episode.fortin_tests)]
        return unknown("Fortin finger test of this side not recorded", missing)
    _, fortin = found
    evidence = [
        Evidence(
            fortin.date,
            f"Fortin finger test {'positive' if fortin.positive else 'negative'}",
            j.where(fortin, "fortin_tests"),
        )
    ]
    if fortin.positive:
        return met(f"Fortin finger test positive on {fortin.date}", evidence)
    return not_met(f"Fortin finger test negative on {fortin.date}", evidence)


def comparative_blocks(j: JointFacts, o: Outcomes) -> Outcome:
    """Two positive valid blocks of this joint with anesthetics of different duration (controlled blocks)."""
    # A block with a mixture of anesthetics shows no one anesthetic's duration: it cannot be one of the pair.
    positives = [b for b in j.valid_blocks if j.block_positive(b) and len({a.drug for a in b.block.anesthetics}) == 1]
    evidence = [j.block_evidence(b) for b in j.valid_blocks]
    # "Different duration" is read from the rule set's anesthetic windows (UNVERIFIED durations, cited).
    windows = j.t[th.ANESTHETIC_WINDOW_MINUTES]
    duration = {id(b): max(windows.get(a.drug, 0) for a in b.block.anesthetics) for b in positives}
    for i, first in enumerate(positives):
        for second in positives[i + 1 :]:
            if duration[id(first)] != duration[id(second)]:
                return met(
                    f"positive blocks {first.block.date} and {second.block.date} with anesthetics of "
                    "different duration (each has one post-block reading, so whether relief lasted as long as "
                    "each anesthetic, the concordance, is not verified)",
                    evidence,
                )
    if not j.valid_blocks:
        return unknown(
            "no valid diagnostic block of this joint", ["two diagnostic blocks with anesthetics of different duration"]
        )
    return not_met(
        "no two positive blocks of this joint with different anesthetics",
        evidence,
        ["a comparative block with an anesthetic of different duration"],
    )


PROVOCATION_CLUSTER = Criterion[JointFacts](
    id="provocation-cluster",
    title="Provocation tests reproduce the familiar pain",
    stage="diagnosis",
    cites=("laslett-2005", "cms-l39797"),
    check=provocation,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a current documented examination of this side with the required number of provocation tests "
    "reproducing the familiar pain",
    reads=(th.MIN_POSITIVE_PROVOCATION_TESTS_COUNT, th.COUNTED_PROVOCATION_TESTS, th.MAX_EXAM_AGE_MONTHS),
)
FORTIN_POINT = Criterion[JointFacts](
    id="fortin-point",
    title="Fortin's point tenderness",
    stage="diagnosis",
    cites=("fortin-1997", "cms-mis-fusion-lcd"),
    check=fortin_point,
    required_for=(Gate(v.FUSION_EVALUATION),),
    remedy="a documented positive Fortin finger test on this side",
    reads=(th.MAX_EXAM_AGE_MONTHS,),
)
COMPARATIVE_BLOCKS = Criterion[JointFacts](
    id="comparative-blocks",
    title="Controlled comparative blocks with two anesthetics",
    stage="confirmation",
    cites=("bcbs-fl-mp-558", "simopoulos-2012", "anesthetic-duration-of-action"),
    check=comparative_blocks,
    required_for=(Gate(v.RADIOFREQUENCY_ABLATION), Gate(v.FUSION_EVALUATION)),
    remedy="a second positive block of this joint with an anesthetic of different duration",
    reads=(th.ANESTHETIC_WINDOW_MINUTES,),
)
