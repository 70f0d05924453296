"""A real Spark standalone cluster on loopback (one master, one worker) started from the jars pyspark ships."""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson

__all__ = ["standalone_cluster", "unavailable"]

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 60.0


def unavailable() -> str | None:
    """Why a standalone cluster cannot be started here, or None when it can."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("pandas") is None:
        return "pyspark and pandas (the [spark] extra) are not installed"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java on PATH or JAVA_HOME) for the Spark master and worker"
    if not _spark_class().is_file():
        return f"pyspark has no bin/spark-class at {_spark_class()}"
    return None


def _spark_class() -> Path:
    spec = importlib.util.find_spec("pyspark")
    home = Path(spec.origin).parent if spec and spec.origin else Path("/nonexistent")
    return home / "bin" / "spark-class"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A daemon of its own process group, so stopping it takes the JVM and anything it forked."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(_spark_class()), *args], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{ui_port}/json/", timeout=2) as answer:
            return int(orjson.loads(answer.read()).get("aliveworkers", 0))
    except OSError:
        return 0


@contextlib.contextmanager
def standalone_cluster(cores: int = 2, memory: str = "1g") -> Iterator[str]:
    """Start a master and a worker (`spark-class org.apache.spark.deploy.master.Master` / `...worker.Worker`),
    wait until the worker has registered, yield the master URL, and stop both (also at exit, if the caller dies)."""
    work = Path(tempfile.mkdtemp(prefix="sijpath-spark-cluster-"))
    port, ui_port, worker_ui = _free_port(), _free_port(), _free_port()
    # The worker's executors start Python workers that import sijpath: the interpreter and path of this process.
    env = {
        **os.environ,
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_LOG_DIR": str(work),
        "SPARK_WORKER_DIR": str(work / "worker"),
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    master_url = f"spark://{LOOPBACK}:{port}"
    processes: list[subprocess.Popen[bytes]] = []

    def stop_all() -> None:
        for process in reversed(processes):
            _stop(process)

    atexit.register(stop_all)
    try:
        master_args = ["--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui_port)]
        processes.append(_start(["org.apache.spark.deploy.master.Master", *master_args], work / "master.log", env))
        worker_args = ["--host", LOOPBACK, "--webui-port", str(worker_ui), "--cores", str(cores), "--memory", memory]
        worker_args += ["--work-dir", str(work / "worker")]
        processes.append(
            _start(["org.apache.spark.deploy.worker.Worker", *worker_args, master_url], work / "worker.log", env)
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while _alive_workers(ui_port) < 1:
            if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(work.glob("*.log")))
                raise RuntimeError(f"the standalone Spark cluster did not start:\n{logs}")
            time.sleep(0.3)
        yield master_url
    finally:
        stop_all()
        atexit.unregister(stop_all)
        shutil.rmtree(work, ignore_errors=True)
