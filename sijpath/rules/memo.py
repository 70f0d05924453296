"""Per-evaluation memoization, so rules that build on other rules' outcomes compute each outcome once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sijpath.rules.facts import Facts

__all__ = ["memoized"]

R = TypeVar("R")


def memoized(check: Callable[[Facts], R]) -> Callable[[Facts], R]:
    """Wrap a rule check so a second call on the same `Facts` returns the first result."""

    def cached(facts: Facts) -> R:
        store = facts.__dict__.setdefault("_memo", {})
        if check not in store:
            store[check] = check(facts)
        result: R = store[check]
        return result

    cached.__name__ = check.__name__
    cached.__doc__ = check.__doc__
    return cached
