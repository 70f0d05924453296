"""Examination findings: the provocation-test cluster and the Fortin finger test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sijpath.domain.findings import FortinFingerTest, ProvocationTest
from sijpath.domain.timeline import latest

__all__ = ["ProvocationCluster", "latest_fortin", "provocation_cluster"]


@dataclass(frozen=True, slots=True)
class ProvocationCluster:
    """The latest result of each provocation test, and which of them reproduced the familiar pain."""

    latest: dict[str, ProvocationTest]
    positive: list[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "positive", sorted(name for name, test in self.latest.items() if test.positive))

    @property
    def examined(self) -> int:
        return len(self.latest)

    def describe(self) -> str:
        if not self.latest:
            return "no provocation tests recorded"
        positives = ", ".join(self.positive) or "none"
        return f"{len(self.positive)} of {self.examined} provocation tests reproduce the familiar pain ({positives})"


def provocation_cluster(tests: Sequence[ProvocationTest], as_of: dt.date) -> ProvocationCluster:
    """Each distinct test counted once, by its latest result on or before `as_of`.

    A test is positive only when it reproduced the patient's familiar pain; other pain does not count.
    """
    latest: dict[str, ProvocationTest] = {}
    for test in sorted(tests, key=lambda t: t.date):
        if test.date <= as_of:
            latest[test.test] = test
    return ProvocationCluster(latest)


def latest_fortin(tests: Sequence[FortinFingerTest], as_of: dt.date) -> tuple[int, FortinFingerTest] | None:
    """The most recent Fortin finger test on or before `as_of`, with its position in `tests`."""
    found = latest([t for t in tests if t.date <= as_of])
    if found is None:
        return None
    _, test = found
    return next(i for i, t in enumerate(tests) if t is test), test
