"""The episodes' change counter: raised by every write that can leave a patient without a current assessment."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, String, Table, insert, select, update

from sijpath.store.schema_metadata import metadata

__all__ = ["EPISODES", "bump", "change_counters", "current"]

EPISODES = "episodes"
# Counters a process reads to know whether what it learnt still holds: `episodes` is raised by every episode write
# and every deletion of stored assessments, so "every patient is assessed for this day" need not be asked again.
change_counters = Table(
    "change_counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


def bump(connection: Connection, name: str = EPISODES) -> None:
    """Inside the writer's transaction: a process that remembered the old value knows its knowledge is stale."""
    raised = connection.execute(
        update(change_counters).where(change_counters.c.name == name).values(value=change_counters.c.value + 1)
    )
    if raised.rowcount == 0:  # a schema made without the migration's first row
        connection.execute(insert(change_counters).values(name=name, value=1))


def current(connection: Connection, name: str = EPISODES) -> int:
    """The counter now (0 before any write): one indexed row, however many patients there are."""
    value = connection.execute(select(change_counters.c.value).where(change_counters.c.name == name)).scalar()
    return int(value or 0)
