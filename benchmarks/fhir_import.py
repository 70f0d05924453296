"""Benchmark: import and assess one patient's FHIR R4 Bundle (about 50 resources, about 45 KB).

The Bundle is the export of examples/fusion-candidate.yaml with ten more pain-diary Observations, an Encounter
and a Practitioner, and the metadata an EHR adds (meta, identifiers, encounter and performer references). Prints
the median and p95 microseconds of a bare orjson.loads of the same bytes, of import_bundle, and of import +
evaluate, measured interleaved in the same run; the ratio of import + assess to orjson.loads; whether the targets
(≤ 1 ms median, ratio ≤ 8; issue 16 asks ratio ≤ 6) are met; and where the time goes (parse_bundle, reading
the patient, evaluate, and import + assess with the cyclic garbage collector paused). Thread CPU time is shown
beside the wall clock: on a busy machine the wall clock of the longer operations also counts the time spent waiting
for a CPU.

    python benchmarks/fhir_import.py [--rounds 5] [--repeats 400] [--write-bundle bundle.json]

--write-bundle writes the Bundle indented, for reading; the timings use it as compact JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from sijpath import wiring
from sijpath.domain.findings import PainScore
from sijpath.fhir.bundle import import_bundle, parse_bundle
from sijpath.fhir.writer import episode_bundle
from sijpath.pathway.assess import evaluate

AS_OF = dt.date(2026, 11, 1)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "fusion-candidate.yaml"
DIARY_ENTRIES = 10
TARGET_MEDIAN_US = 1000.0
TARGET_RATIO = 8.0
TARGET_RATIO_SCREENING = 6.0  # issue 16 (population screening, fast FHIR reading) asks for six
NAMESPACE = uuid.UUID("6f1c1e0a-4d5b-4b61-9a57-2f3c8b0e9d21")
# Where an EHR puts the visit and the clinician on each resource type sijpath reads.
ENCOUNTER_ELEMENT = {
    "Observation": "encounter",
    "Procedure": "encounter",
    "DiagnosticReport": "encounter",
    "Condition": "encounter",
    "MedicationAdministration": "context",
    "MedicationStatement": "context",
}


def _urn(key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, key)}"


def _practitioner() -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": "pract-4471",
        "meta": {"versionId": "3", "lastUpdated": "2025-02-11T09:12:44.207+00:00"},
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1487562093"}],
        "active": True,
        "name": [{"use": "official", "family": "Okafor", "given": ["Adaeze", "N."], "prefix": ["Dr."]}],
        "telecom": [{"system": "phone", "value": "+1-555-0142-339", "use": "work"}],
        "qualification": [
            {
                "code": {
                    "coding": [
                        {
                            "system": "http://nucc.org/provider-taxonomy",
                            "code": "208VP0014X",
                            "display": "Pain Medicine, Interventional Pain Medicine",
                        }
                    ]
                }
            }
        ],
    }


def _encounter(patient: str, practitioner: str) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": "enc-20261001-0931",
        "meta": {"versionId": "2", "lastUpdated": "2026-10-01T16:05:12.881+00:00"},
        "identifier": [{"system": "urn:oid:1.2.840.114350.1.13.861.1.7.3.698084.8", "value": "20261001-0931"}],
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory"},
        "type": [
            {
                "coding": [
                    {"system": "http://snomed.info/sct", "code": "185389009", "display": "Follow-up visit"},
                ],
                "text": "Pain clinic follow-up",
            }
        ],
        "subject": {"reference": patient},
        "participant": [{"individual": {"reference": practitioner, "display": "Dr. Adaeze N. Okafor"}}],
        "period": {"start": "2026-10-01T09:31:00-05:00", "end": "2026-10-01T10:02:00-05:00"},
        "reasonCode": [
            {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/sid/icd-10-cm",
                        "code": "M53.3",
                        "display": "Sacrococcygeal disorders, not elsewhere classified",
                    }
                ],
                "text": "Left sacroiliac joint pain",
            }
        ],
        "serviceProvider": {"display": "Riverside Spine and Pain Center"},
    }


def _patient_details() -> dict[str, Any]:
    return {
        "identifier": [
            {
                "use": "usual",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "system": "urn:oid:1.2.840.114350.1.13.861.1.7.5.737384.14",
                "value": "E4812207",
            }
        ],
        "active": True,
        "name": [{"use": "official", "family": "Marchetti", "given": ["Linda", "Rose"]}],
        "telecom": [{"system": "phone", "value": "+1-555-0178-204", "use": "mobile"}],
        "address": [
            {"use": "home", "line": ["1408 Larkspur Lane"], "city": "Dayton", "state": "OH", "postalCode": "45409"}
        ],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en-US"}]}}],
    }


def patient_bundle() -> dict[str, Any]:
    """The fusion-candidate example with ten weekly pain-diary scores, as an EHR's FHIR API would return it."""
    episode = wiring.load_episode(EXAMPLE)
    diary = tuple(
        PainScore(
            id=f"Observation/diary-{i}",
            date=AS_OF - dt.timedelta(days=4 + 7 * i),
            nrs=float(5 + i % 4),
            context="diary",
        )
        for i in range(DIARY_ENTRIES)
    )
    bundle = episode_bundle(episode.model_copy(update={"pain_scores": episode.pain_scores + diary}))
    patient_url = bundle["entry"][0]["fullUrl"]
    practitioner, encounter = _practitioner(), _encounter(patient_url, _urn("Practitioner/pract-4471"))
    by_practitioner = {"reference": _urn("Practitioner/pract-4471")}
    visit = {"reference": _urn(f"Encounter/{encounter['id']}")}
    for number, entry in enumerate(bundle["entry"]):
        resource = entry["resource"]
        kind = resource["resourceType"]
        resource["meta"] = {
            "versionId": str(1 + number % 3),
            "lastUpdated": f"2026-10-01T15:{number % 60:02d}:07.512+00:00",
        }
        if kind == "Patient":
            resource.update(_patient_details())
        if kind in ENCOUNTER_ELEMENT:
            resource[ENCOUNTER_ELEMENT[kind]] = visit
        if kind in ("Procedure", "MedicationAdministration"):
            resource["performer"] = [{"actor": by_practitioner}]
        elif kind in ("Observation", "DiagnosticReport"):
            resource["performer"] = [by_practitioner]
    bundle["entry"] += [
        {"fullUrl": _urn(f"{r['resourceType']}/{r['id']}"), "resource": r} for r in (encounter, practitioner)
    ]
    return {
        "resourceType": "Bundle",
        "id": "b2f9c0de-5a11-4c0e-8d7e-31a9f1b60c44",
        "meta": {"lastUpdated": "2026-10-01T16:05:13.004+00:00"},
        "type": "searchset",
        "total": len(bundle["entry"]),
        "link": [{"relation": "self", "url": "https://fhir.example.org/api/FHIR/R4/Patient/$everything"}],
        "entry": [{**e, "search": {"mode": "match"}} for e in bundle["entry"]],
    }


def time_calls(function: Callable[[], object], repeats: int) -> tuple[list[float], list[float]]:
    """Microseconds per call, wall clock and this thread's CPU time (which leaves out the time the process waits
    for a CPU on a busy machine), one sample per call."""
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        function()
        cpu.append((time.thread_time_ns() - started_cpu) / 1000)
        wall.append((time.perf_counter_ns() - started) / 1000)
    return wall, cpu


def gc_paused(function: Callable[[], object]) -> Callable[[], object]:
    """The same call with the cyclic garbage collector paused: how much of its time the collector takes."""

    def paused() -> object:
        gc.disable()
        try:
            return function()
        finally:
            gc.enable()

    return paused


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(len(ordered) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=400, help="calls of each operation per round")
    parser.add_argument("--write-bundle", type=Path, help="also write the Bundle to this file")
    args = parser.parse_args()

    bundle = patient_bundle()
    data = orjson.dumps(bundle)
    if args.write_bundle:
        args.write_bundle.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    ruleset = wiring.load_ruleset("source-articles", AS_OF)

    def import_only() -> object:
        return import_bundle(data)

    def import_and_assess() -> object:
        return [evaluate(e.episode, ruleset, AS_OF, e.issues) for e in import_bundle(data).values()]

    groups = parse_bundle(data)
    (patient_id,) = groups.patients
    imported = groups.read(patient_id)
    operations: dict[str, Callable[[], object]] = {
        "orjson.loads": lambda: orjson.loads(data),
        "import_bundle": import_only,
        "import + assess": import_and_assess,
        "  parse_bundle": lambda: parse_bundle(data),
        "  read patient": lambda: groups.read(patient_id),
        "  evaluate": lambda: evaluate(imported.episode, ruleset, AS_OF, imported.issues),
        "import + assess, no gc": gc_paused(import_and_assess),
    }
    for function in operations.values():  # warm caches and the interpreter
        time_calls(function, 50)

    # Interleaved rounds, so a slow spell of a shared VM hits every operation alike; the per-round ratios show
    # how steady the comparison is.
    load_before = os.getloadavg()[0]
    wall: dict[str, list[float]] = {name: [] for name in operations}
    cpu: dict[str, list[float]] = {name: [] for name in operations}
    round_ratios = []
    for _ in range(args.rounds):
        for name, function in operations.items():
            taken, taken_cpu = time_calls(function, args.repeats)
            wall[name] += taken
            cpu[name] += taken_cpu
        rounds = slice(-args.repeats, None)
        round_ratios.append(
            statistics.median(wall["import + assess"][rounds]) / statistics.median(wall["orjson.loads"][rounds])
        )
    load_after = os.getloadavg()[0]

    assessment = import_and_assess()[0]
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    median = {name: statistics.median(s) for name, s in wall.items()}
    cpu_median = {name: statistics.median(s) for name, s in cpu.items()}
    ratio = median["import + assess"] / median["orjson.loads"]
    cpu_ratio = cpu_median["import + assess"] / cpu_median["orjson.loads"]
    print(f"bundle                {len(bundle['entry'])} resources, {len(data):,} bytes ({len(data) / 1024:.1f} KiB)")
    print("                      " + ", ".join(f"{n} {k}" for k, n in kinds.most_common()))
    print(
        f"imported              {sum(len(v) for _, v in imported.episode if isinstance(v, tuple))} facts, "
        f"{len(imported.issues)} record issue(s); next steps {', '.join(u.next_step.code for u in assessment.units)}"
    )
    print(
        f"samples               {args.rounds} rounds × {args.repeats} calls of each operation, interleaved "
        f"(1-minute load average {load_before:.2f} before, {load_after:.2f} after, {os.cpu_count()} CPUs)"
    )
    print(f"{'':24}{'wall clock':^30}{'thread CPU time':^20}")
    print(f"{'operation':24}{'median µs':>10}{'p95 µs':>10}{'× orjson':>10}{'median µs':>10}{'× orjson':>10}")
    for name in operations:
        print(
            f"{name:24}{median[name]:10.1f}{p95(wall[name]):10.1f}{median[name] / median['orjson.loads']:10.2f}"
            f"{cpu_median[name]:10.1f}{cpu_median[name] / cpu_median['orjson.loads']:10.2f}"
        )
    print(
        f"ratio import + assess / orjson.loads  {ratio:.2f} wall (round ratios "
        f"{', '.join(f'{r:.2f}' for r in sorted(round_ratios))}), {cpu_ratio:.2f} CPU time"
    )
    parts = ("  parse_bundle", "  read patient", "  evaluate")
    total = sum(median[p] for p in parts)
    print(
        "breakdown             "
        + ", ".join(f"{p.strip()} {100 * median[p] / total:.0f}%" for p in parts)
        + f" (of {total:.0f} µs, the three timed apart)"
    )
    for label, achieved, target, unit in (
        (f"median ≤ {TARGET_MEDIAN_US:.0f} µs", median["import + assess"], TARGET_MEDIAN_US, " µs"),
        (f"ratio ≤ {TARGET_RATIO:.0f}", ratio, TARGET_RATIO, ""),
        (f"ratio ≤ {TARGET_RATIO_SCREENING:.0f}", ratio, TARGET_RATIO_SCREENING, ""),
    ):
        verdict = "met" if achieved <= target else "MISSED"
        cpu_value = cpu_median["import + assess"] if unit else cpu_ratio
        print(f"target {label:17}{verdict} ({achieved:.2f}{unit} wall; {cpu_value:.2f}{unit} CPU time)")


if __name__ == "__main__":
    main()
