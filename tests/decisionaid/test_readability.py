"""Reading level by textstat: simple prose lands at or below grade 8, dense clinical prose above; no network."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from sijpath.decisionaid.readability import MAX_GRADE, measure

SIMPLE = (
    "The joint is low in your back. It can hurt when you sit or stand. "
    "You can rest, walk and stretch. Your care team will help you choose what to try next."
)
HARD = (
    "Percutaneous radiofrequency neurotomy of the lateral sacral branches, performed after concordant "
    "intra-articular anaesthetic blockade, demonstrated statistically significant improvements in "
    "patient-reported functional disability indices, notwithstanding considerable methodological heterogeneity "
    "among the randomised controlled investigations evaluated."
)


def test_a_simple_passage_reads_at_grade_8_or_below() -> None:
    reading = measure(SIMPLE)
    assert reading.flesch_kincaid <= MAX_GRADE
    assert reading.passes


def test_a_dense_clinical_passage_reads_above_grade_8() -> None:
    reading = measure(HARD)
    assert reading.flesch_kincaid > MAX_GRADE
    assert not reading.passes
    assert reading.smog > MAX_GRADE


def test_empty_text_measures_zero_words() -> None:
    assert measure("  ").words == 0


def test_the_same_text_gives_the_same_description() -> None:
    assert measure(HARD).describe() == measure(HARD).describe()
    assert "Flesch-Kincaid grade" in measure(HARD).describe()


def test_measuring_never_opens_a_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("textstat tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # Words unusual enough to miss any cache another test warmed.
    assert measure("Zygapophyseal arthropathy quandary obfuscation.").words == 4


def test_a_fresh_process_measures_with_sockets_disabled() -> None:
    # The first use loads the CMU dictionary; run it where any socket use fails, so a fetch would show.
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise SystemExit('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from sijpath.decisionaid.readability import measure\n"
        "print(measure('The joint is low in your back. It can hurt.').flesch_kincaid)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) <= MAX_GRADE
