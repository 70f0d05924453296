"""The one table of an episode's fact lists, derived from the model: what each list holds and how it is dated."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from sijpath.domain.episode import Episode

__all__ = ["DATE_FIELDS", "FACT_LISTS", "LIST_OF", "FactList", "fact_list"]

DATE_FIELDS = ("date", "start_date", "recorded_date")


@dataclass(frozen=True, slots=True)
class FactList:
    """One list of facts in an episode (`diagnostic_blocks`), read once from the model.

    The FHIR reader and writer, the as-of cut, the store and the web forms all iterate this table, so a new list
    in the model reaches every one of them (a meta-test holds each to it).
    """

    name: str
    model: type[BaseModel]
    singular: str
    date_field: str
    sided: bool
    has_end: bool
    has_follow_up: bool


def _derive() -> tuple[FactList, ...]:
    lists = []
    for name, info in Episode.model_fields.items():
        item = getattr(info.annotation, "__args__", (None,))[0]
        if not (isinstance(item, type) and issubclass(item, BaseModel)):
            continue
        fields = item.model_fields
        lists.append(
            FactList(
                name=name,
                model=item,
                singular=str(getattr(item, "fact_name")),  # noqa: B009 - every fact model declares it (a meta-test)
                date_field=next(f for f in DATE_FIELDS if f in fields),
                sided="side" in fields,
                has_end="end_date" in fields,
                has_follow_up="follow_up" in fields,
            )
        )
    return tuple(lists)


FACT_LISTS: tuple[FactList, ...] = _derive()
_BY_NAME = {entry.name: entry for entry in FACT_LISTS}
LIST_OF: dict[type[BaseModel], str] = {entry.model: entry.name for entry in FACT_LISTS}
"""The episode list each kind of fact lives in (every fact model belongs to exactly one list)."""


def fact_list(name: str) -> FactList:
    """The entry of one list by its field name; KeyError for a name the episode does not have."""
    return _BY_NAME[name]
