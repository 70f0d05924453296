"""Per-evaluation memoization, so rules that build on other rules' outcomes compute each outcome once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar, overload

if TYPE_CHECKING:
    from sijpath.rules.facts import Facts

__all__ = ["lazy", "memoized"]

R = TypeVar("R")
T = TypeVar("T")


class lazy(Generic[T, R]):
    """A property computed on first access and stored on the instance.

    Like `functools.cached_property` without its per-access lock (Python 3.11), which costs more than most of
    the facts it caches; `Facts` is never shared between threads.
    """

    def __init__(self, compute: Callable[[T], R]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type[T], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[T]) -> lazy[T, R]: ...
    @overload
    def __get__(self, instance: T, owner: type[T]) -> R: ...
    def __get__(self, instance: T | None, owner: type[T]) -> lazy[T, R] | R:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value  # a non-data descriptor: later reads hit the instance dict
        return value


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
