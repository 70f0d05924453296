"""Thresholds as values: declared once by the pathway (name with unit, type, meaning), set by a rule set with cites."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

__all__ = ["ThresholdSetting", "ThresholdSpec", "ThresholdValues"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, eq=False)
class ThresholdSpec(Generic[T_co]):
    """A number (or list) rules compare against: its name ends in its unit, `annotation` is the type a rule set's
    value must have, and `meaning` is the one line the generated docs print.

    Identity is the spec object itself, so rules and rule sets refer to it by value, never by its name. The type
    parameter is the Python type of the value (covariant: a spec of a tuple of strings is read as a collection).
    """

    name: str
    annotation: Any
    meaning: str

    def __repr__(self) -> str:
        return f"ThresholdSpec({self.name})"


@dataclass(frozen=True, slots=True)
class ThresholdSetting:
    """A rule set's value for a threshold, the sources it cites, and how it was derived when they do not state it."""

    spec: ThresholdSpec[Any]
    value: Any
    cites: tuple[str, ...]
    note: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name


class ThresholdValues(dict[ThresholdSpec[Any], Any]):
    """The values a rule set sets, read by spec: `values[MIN_BLOCK_RELIEF]` is typed by the spec.

    A dict underneath, so reading a value (which every rule does, for every joint assessed) is one lookup in C; it
    cannot be changed once made (rule sets are immutable).
    """

    __slots__ = ()

    def __init__(self, values: Mapping[ThresholdSpec[Any], Any]) -> None:
        dict.__init__(self, values)

    def __missing__(self, spec: ThresholdSpec[Any]) -> Any:
        """A threshold the loader guaranteed (every rule's `reads` are set); a missing one is a bug in a rule."""
        raise AssertionError(f"threshold {spec.name} is not set; the rule must declare it in `reads`")

    if TYPE_CHECKING:

        def __getitem__(self, spec: ThresholdSpec[T]) -> T: ...
        @overload  # type: ignore[override]
        def get(self, spec: ThresholdSpec[T]) -> T | None: ...
        @overload
        def get(self, spec: ThresholdSpec[T], default: T) -> T: ...
        def get(self, spec: ThresholdSpec[T], default: T | None = None) -> T | None:
            """An optional threshold (declared in `optional_reads`): None, or `default`, where the rule set omits it."""

    def _frozen(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a rule set's threshold values cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _frozen
    clear = pop = popitem = setdefault = update = _frozen

    def __reduce__(self) -> tuple[type[ThresholdValues], tuple[dict[ThresholdSpec[Any], Any]]]:
        return ThresholdValues, (dict(self),)  # pickled and copied as new values, never item by item
