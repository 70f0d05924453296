"""Load benchmark of the CDS Hooks service on loopback: patient-view with a 50-resource prefetch at concurrency 1, 8
and 32 (target on the 2-core machine: p99 <= 50 ms at concurrency 8 with two workers), side by side with a bare
endpoint on the same server stack, with the load average after each level.

Run: .venv/bin/python benchmarks/cdshooks_load.py [--requests 400] [--seconds 30] [--concurrency 1,8,32]
     [--alg ES384|RS384] [--workers 2]

Spawns `sijpath serve --workers N` on 127.0.0.1 over a fresh SQLite database, and beside it the bare endpoint of
benchmarks/bare_app.py under the same uvicorn with the same workers and wiring's edges (it reads the same body
and answers `{"cards": []}`), so the ratio of the two is what sijpath itself costs. It trusts a freshly made
ES384 key, and drives it with httpx from asyncio in this process. Every call is the real thing: a signed JWT with
its own jti (pre-signed, so signing is not timed; ES384 by default, RS384 is the other algorithm the spec
recommends and is much cheaper to verify), a new hookInstance, the prefetch resolved, the assessment made,
the card remembered and the call audited. Each level is bounded by --requests and --seconds. Prints p50 / p95 /
p99 latency in milliseconds and requests per second, per concurrency level. Client and server share the machine,
so each level also prints the CPU time the server's processes spent per call (from /proc, on Linux): on a machine
busy with other work latency grows, but that figure, and its ratio to the bare endpoint's, hardly moves.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fhir" / "fusion-candidate.json"
ISSUER = "https://bench-ehr.example.org/"
KEYS = {
    "Procedure": "procedures",
    "Observation": "observations",
    "Condition": "conditions",
    "MedicationAdministration": "medicationAdministrations",
    "MedicationStatement": "medicationStatements",
    "DiagnosticReport": "diagnosticReports",
}
PLACEHOLDER = b"00000000-hook-instance-placeholder-0000"


def prefetch_of(resources_wanted: int) -> tuple[str, dict[str, Any], int]:
    """The example fusion candidate as a FHIR server returns it (relative references), topped up with diary pain
    scores to `resources_wanted` resources."""
    bundle = json.loads(EXAMPLE.read_text())
    text = json.dumps(bundle)
    for entry in bundle["entry"]:
        text = text.replace(entry["fullUrl"], f"{entry['resource']['resourceType']}/{entry['resource']['id']}")
    resources = [e["resource"] for e in json.loads(text)["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    score = next(r for r in resources if r["resourceType"] == "Observation" and r["id"].startswith("pain-scores"))
    for n in range(resources_wanted - len(resources)):
        extra = copy.deepcopy(score)
        extra["id"] = f"diary-{n}"
        extra["effectiveDateTime"] = f"2026-09-{n % 28 + 1:02d}"
        resources.append(extra)
    prefetch: dict[str, Any] = {"patient": patient}
    for kind, key in KEYS.items():
        chosen = [r for r in resources if r["resourceType"] == kind]
        prefetch[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"fullUrl": f"https://ehr.example.org/fhir/{kind}/{r['id']}", "resource": r} for r in chosen],
        }
    return patient["id"], prefetch, len(resources)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_ms(pid: int) -> float:
    """CPU time (user and system, ms) of a process and all its descendants so far; 0 where /proc cannot say."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_ms(int(child)) for child in children)


def wait_for(url: str, expected: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, timeout=1).status_code == expected:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start; see {log}")


def start_bare(folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(Path(__file__).parent / "bare_app.py"), str(port), str(workers)]
    log = folder / "bare.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/cds-services/sij-pathway", 200, server, log)
    return server


def start_server(folder: Path, port: int, jwks: Path, workers: int) -> subprocess.Popen[bytes]:
    sijpath = [sys.executable, "-m", "sijpath"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIJPATH_")}
    subprocess.run([*sijpath, "db", "upgrade", "--data-dir", str(folder)], check=True, env=env, capture_output=True)
    command = [
        *sijpath,
        "serve",
        "--data-dir",
        str(folder),
        "--port",
        str(port),
        "--cds-issuer",
        f"{ISSUER}={jwks}",
        "--cds-base-url",
        f"http://127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    log = folder / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    wait_for(f"http://127.0.0.1:{port}/cds-services/sij-pathway", 401, server, log)
    return server


def level(url: str, template: bytes, tokens: list[str], concurrency: int, seconds: float, pid: int) -> dict[str, Any]:
    """One level, with the CPU time the server (process `pid` and its workers) spent per call."""
    before = cpu_ms(pid)
    found = asyncio.run(calls(url, template, tokens, concurrency, seconds))
    found["server_cpu_ms_per_call"] = round((cpu_ms(pid) - before) / found["requests"], 2)
    return found


async def calls(url: str, template: bytes, tokens: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    """Up to len(tokens) calls by `concurrency` workers, stopping after `seconds`."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    queue = iter(tokens)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            for token in queue:
                if time.perf_counter() > stop:
                    return
                body = template.replace(PLACEHOLDER, str(uuid.uuid4()).encode())
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                started = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures[response.status_code] = failures.get(response.status_code, 0) + 1

        gc.collect()
        gc.disable()  # the client's own collections would show up as server latency
        began = time.perf_counter()
        try:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        finally:
            elapsed = time.perf_counter() - began
            gc.enable()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "failures": failures,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(max(latencies), 1),
        "requests_per_second": round(len(latencies) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="calls per concurrency level (at most)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time per concurrency level (at most)")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--resources", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--alg", choices=["ES384", "RS384"], default="ES384", help="how the EHR signs its JWTs")
    parser.add_argument("--workers", type=int, default=2, help="server processes (both servers)")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    key: Any
    if args.alg == "ES384":
        key = ec.generate_private_key(ec.SECP384R1())
        public = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        key = rsa.generate_private_key(65537, 2048)
        public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    patient_id, prefetch, count = prefetch_of(args.resources)
    body = {
        "hook": "patient-view",
        "hookInstance": PLACEHOLDER.decode(),
        "context": {"userId": "Practitioner/bench", "patientId": patient_id},
        "prefetch": prefetch,
    }
    template = orjson.dumps(body)
    with tempfile.TemporaryDirectory(prefix="sijpath-cds-bench-") as tmp:
        folder = Path(tmp)
        jwks = folder / "jwks.json"
        jwks.write_text(json.dumps({"keys": [{**public, "kid": "bench", "alg": args.alg, "use": "sig"}]}))
        port, bare_port = free_port(), free_port()
        url = f"http://127.0.0.1:{port}/cds-services/sij-pathway"
        bare_url = f"http://127.0.0.1:{bare_port}/cds-services/sij-pathway"

        def tokens(n: int) -> list[str]:
            now = int(time.time())
            claims = {"iss": ISSUER, "aud": url, "iat": now, "exp": now + 600}
            return [
                jwt.encode({**claims, "jti": str(uuid.uuid4())}, key, algorithm=args.alg, headers={"kid": "bench"})
                for _ in range(n)
            ]

        server = start_server(folder, port, jwks, args.workers)
        bare_server = start_bare(folder, bare_port, args.workers)
        try:
            size = len(template) // 1024
            print(
                f"patient-view, {count}-resource prefetch ({size} KiB), {args.alg} JWTs, {args.workers} workers, "
                f"{os.cpu_count()} CPUs"
            )
            level(url, template, tokens(args.warmup), 4, args.seconds, server.pid)
            level(bare_url, template, tokens(args.warmup), 4, args.seconds, bare_server.pid)
            results = []
            for concurrency in levels:
                bare = level(bare_url, template, tokens(args.requests), concurrency, args.seconds, bare_server.pid)
                result = level(url, template, tokens(args.requests), concurrency, args.seconds, server.pid)
                load = os.getloadavg()[0]
                result["bare"], result["load_average_1min"] = bare, load
                results.append(result)
                for name, found in (("bare", bare), ("sijpath", result)):
                    print(
                        f"concurrency {concurrency:>3} {name:>7}: {found['requests']:>5} calls  p50 "
                        f"{found['p50_ms']:>6} ms  p95 {found['p95_ms']:>6} ms  p99 {found['p99_ms']:>6} ms  max "
                        f"{found['max_ms']:>6} ms  {found['requests_per_second']:>6} req/s  server CPU "
                        f"{found['server_cpu_ms_per_call']:>5} ms/call  failures {found['failures'] or 'none'}"
                    )
                ratio = result["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
                cpu = (
                    result["server_cpu_ms_per_call"] / bare["server_cpu_ms_per_call"]
                    if bare["server_cpu_ms_per_call"]
                    else 0
                )
                print(
                    f"concurrency {concurrency:>3}: p99 sijpath / bare {ratio:.1f}x; server CPU/call sijpath / bare "
                    f"{cpu:.1f}x; load average (1 min) {load:.2f}"
                )
        finally:
            for running in (server, bare_server):
                running.terminate()
                running.wait(timeout=20)
    at8 = next((r for r in results if r["concurrency"] == 8), None)
    if at8 is not None:
        verdict = "meets" if at8["p99_ms"] <= 50 and not at8["failures"] else "MISSES"
        print(
            f"target p99 <= 50 ms at concurrency 8 with {args.workers} workers: {verdict} ({at8['p99_ms']} ms; bare "
            f"{at8['bare']['p99_ms']} ms; load average {at8['load_average_1min']:.2f})"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
