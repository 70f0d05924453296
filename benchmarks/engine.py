"""Benchmark: assess 10,000 varied episodes (two years of history, ~50 events each) on one core, per SI joint.

Most patients hurt on one side, one in five on both; every procedure and SI-joint study names its side. The
garbage collector is frozen after setup. Prints the median and p95 microseconds per joint assessment (an
assessment's time divided by the joints it assesses), the median over all rounds (not the best round), the ratio to
the 100 µs target, the ratio to `Episode.model_validate` of the same data measured in the same run, and the peak
memory allocated while assessing (tracemalloc, in a separate pass so it does not slow the timing).

    python benchmarks/engine.py [--episodes 10000] [--seed 7] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import time
import tracemalloc

import orjson

from sijpath import wiring
from sijpath.domain.care import MedicationCourse, PhysicalTherapyCourse
from sijpath.domain.episode import Episode, Patient
from sijpath.domain.findings import (
    Diagnosis,
    FortinFingerTest,
    FunctionalStatus,
    ImagingStudy,
    OdiScore,
    PainPresentation,
    PainScore,
    ProvocationTest,
    TobaccoUse,
)
from sijpath.domain.procedures import (
    Anesthetic,
    DiagnosticBlock,
    FollowUpPain,
    RadiofrequencyAblation,
    SteroidDose,
    TherapeuticInjection,
)
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 11, 1)
TARGET_US = 100.0
TESTS = ("distraction", "thigh-thrust", "compression", "sacral-thrust", "gaenslen", "faber", "yeoman")


def day(rng: random.Random, start: dt.date, span_days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(span_days))


def episode(rng: random.Random, number: int) -> Episode:
    """A varied, realistic two-year episode with about fifty dated facts."""
    start = AS_OF - dt.timedelta(days=730)
    laterality = rng.choices(["left", "right", "bilateral"], weights=[40, 40, 20])[0]

    def side() -> str:
        return laterality if laterality != "bilateral" else rng.choice(["left", "right"])

    blocks = tuple(
        DiagnosticBlock(
            date=day(rng, start, 700),
            side=side(),
            guidance=rng.choice(["fluoroscopy", "ct", "ultrasound"]),
            contrast=rng.choice([True, None]),
            anesthetics=(Anesthetic(drug=rng.choice(["lidocaine", "bupivacaine"])),),
            pre_block_nrs=float(rng.randint(5, 9)),
            post_block_nrs=float(rng.randint(0, 5)),
            post_block_minutes=rng.choice([15, 30, 60, 240]),
        )
        for _ in range(rng.randint(0, 3))
    )
    injections = []
    for _ in range(rng.randint(0, 7)):
        when = day(rng, start, 700)
        follow_up = tuple(
            FollowUpPain(date=when + dt.timedelta(days=7 * k), nrs=float(min(10, 2 + k)))
            for k in range(1, rng.randint(1, 4))
        )
        injections.append(
            TherapeuticInjection(
                date=when,
                side=side(),
                steroid=SteroidDose(
                    drug=rng.choice(["triamcinolone", "betamethasone"]), dose_mg=rng.choice([6.0, 40.0, 80.0])
                ),
                relief_percent=rng.choice([None, float(rng.randint(20, 90))]),
                relief_duration_days=rng.choice([None, rng.randint(7, 200)]),
                pre_injection_nrs=7.0,
                follow_up=follow_up,
            )
        )
    return Episode(
        patient=Patient(id=f"bench-{number}", birth_date=dt.date(1960 + rng.randrange(30), 1, 1), sex="female"),
        pain=PainPresentation(
            onset_date=start, below_l5=rng.choice([True, True, None]), radiates_below_knee=False, laterality=laterality
        ),
        pain_scores=tuple(PainScore(date=day(rng, start, 730), nrs=float(rng.randint(2, 9))) for _ in range(10)),
        odi_scores=tuple(OdiScore(date=day(rng, start, 730), percent=float(rng.randint(10, 70))) for _ in range(4)),
        provocation_tests=tuple(
            ProvocationTest(date=start, test=t, result=rng.choice(["familiar-pain", "no-pain"])) for t in TESTS
        ),
        fortin_tests=(FortinFingerTest(date=start, side=side(), positive=rng.random() < 0.7),),
        diagnoses=tuple(Diagnosis(code=c, recorded_date=start) for c in rng.sample(["M53.3", "M46.1", "M54.50"], 2)),
        imaging=tuple(
            ImagingStudy(
                date=day(rng, start, 700), modality=m, region=r, findings=(f,), side=side() if r == "sij" else None
            )
            for m, r, f in (
                ("xray", "pelvis", "normal"),
                ("mri", "lumbar", rng.choice(["normal", "lumbar-stenosis-or-disc-herniation"])),
                ("ct", "sij", rng.choice(["normal", "joint-space-widening", "joint-disruption"])),
                ("xray", "hip", "normal"),
            )
        ),
        diagnostic_blocks=blocks,
        therapeutic_injections=tuple(injections),
        radiofrequency_ablations=tuple(
            RadiofrequencyAblation(
                date=day(rng, start, 700),
                side=side(),
                technique=rng.choice(["conventional", "cooled"]),
                relief_percent=float(rng.randint(0, 90)),
                relief_duration_days=rng.randint(30, 300),
            )
            for _ in range(rng.randint(0, 1))
        ),
        physical_therapy=tuple(
            PhysicalTherapyCourse(start_date=day(rng, start, 300), sessions=12, setting="supervised") for _ in range(3)
        ),
        medications=tuple(
            MedicationCourse(start_date=day(rng, start, 600), drug_class=c)
            for c in ("nsaid", "muscle-relaxant", "neuropathic-agent", "acetaminophen")
        ),
        functional_status=tuple(
            FunctionalStatus(
                date=day(rng, start, 730), work=rng.choice(["full-duty", "unable"]), adl_limited=rng.random() < 0.6
            )
            for _ in range(2)
        ),
        tobacco=(TobaccoUse(date=start, status="never"),),
        contraindications_reviewed_on=rng.choice([None, AS_OF - dt.timedelta(days=30)]),
    )


def facts_in(e: Episode) -> int:
    return sum(len(v) for _, v in e if isinstance(v, tuple)) + sum(len(i.follow_up) for i in e.therapeutic_injections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ruleset = wiring.load_ruleset("source-articles")
    episodes = [episode(rng, n) for n in range(args.episodes)]
    documents = [e.model_dump(mode="json") for e in episodes]
    joints = [len(evaluate(e, ruleset, AS_OF).units) for e in episodes]  # also warms caches and the interpreter
    gc.collect()
    gc.freeze()  # setup's objects stay out of every collection from here on

    per_joint: list[float] = []
    validate: list[float] = []
    round_medians = []
    for _ in range(args.rounds):
        timings = []
        for e, document, count in zip(episodes, documents, joints, strict=True):
            started = time.perf_counter_ns()
            evaluate(e, ruleset, AS_OF)
            middle = time.perf_counter_ns()
            Episode.model_validate(document)
            ended = time.perf_counter_ns()
            timings.append((middle - started) / 1000 / count)
            validate.append((ended - middle) / 1000)
        round_medians.append(statistics.median(timings))
        per_joint += timings
    per_joint.sort()

    rendered = []
    for e in episodes[:2000]:
        started = time.perf_counter_ns()
        orjson.dumps(evaluate(e, ruleset, AS_OF).to_dict())
        rendered.append((time.perf_counter_ns() - started) / 1000)

    tracemalloc.start()
    for e in episodes[:1000]:
        evaluate(e, ruleset, AS_OF)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    median = statistics.median(per_joint)
    p95 = per_joint[int(len(per_joint) * 0.95)]
    floor = statistics.median(validate)
    steps: dict[str, int] = {}
    for e in episodes[:2000]:
        for unit in evaluate(e, ruleset, AS_OF).units:
            steps[unit.next_step.code] = steps.get(unit.next_step.code, 0) + 1
    print(
        f"episodes                {len(episodes)} (median {statistics.median(facts_in(e) for e in episodes):.0f} "
        f"facts), {sum(joints)} joint assessments ({sum(joints) / len(episodes):.2f} per episode)"
    )
    print(
        f"median per joint        {median:.1f} µs (all {args.rounds} rounds; round medians "
        f"{', '.join(f'{m:.0f}' for m in round_medians)} µs)"
    )
    print(f"p95 per joint           {p95:.1f} µs")
    print(f"median / target         {median / TARGET_US:.2f} (target {TARGET_US:.0f} µs)")
    print(
        f"Episode.model_validate  {floor:.1f} µs median for the same data; per joint / validate = {median / floor:.2f}"
    )
    print(
        f"with JSON output        {statistics.median(rendered):.1f} µs median per episode (evaluate + to_dict + orjson)"
    )
    print(f"peak traced memory      {peak / 1024:.0f} KiB while assessing 1,000 episodes one after another")
    print("next steps (first 2,000): " + ", ".join(f"{k} {v}" for k, v in sorted(steps.items())))


if __name__ == "__main__":
    main()
