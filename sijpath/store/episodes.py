"""Episodes in the database: versioned writes with optimistic concurrency, fact provenance, stored assessments."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue, Dispute
from sijpath.engine.assessment import Assessment
from sijpath.errors import ConflictError, NotFoundError
from sijpath.store import generation
from sijpath.store.patient_list import COUNT_CAP, PatientRow, list_patients, unassessed
from sijpath.store.provenance import Provenance, kept_provenance, write_facts
from sijpath.store.tables import assessments, episodes, facts, imports, patient_coverage, removed_facts

__all__ = [
    "COUNT_CAP",
    "PatientRow",
    "StoredEpisode",
    "WorkItems",
    "assessment_row",
    "current_version",
    "decode_episode",
    "delete_episode",
    "episode_document",
    "fingerprint",
    "joint_tokens",
    "keep_newest_pairs",
    "list_patients",
    "load_episode",
    "patient_count",
    "remember_import",
    "save_assessment",
    "save_episode",
    "unassessed",
    "worklist_tokens",
]


@dataclass(frozen=True, slots=True)
class StoredEpisode:
    episode: Episode
    record_issues: tuple[DataIssue, ...]
    version: int
    fingerprint: str
    updated_at: dt.datetime
    updated_by: str


def episode_document(episode: Episode) -> bytes:
    """The canonical JSON of an episode: sorted keys, no defaults, so equal episodes give equal bytes."""
    return orjson.dumps(episode.model_dump(mode="json", exclude_defaults=True), option=orjson.OPT_SORT_KEYS)


def fingerprint(document: bytes, record_issues: bytes = b"[]") -> str:
    """What an assessment was made from: the episode document and the issues found reading its record."""
    return hashlib.sha256(document + record_issues).hexdigest()


def save_episode(
    connection: Connection,
    episode: Episode,
    *,
    expected_version: int | None,
    actor: str,
    now: dt.datetime,
    sources: Mapping[str, str] | None = None,
    record_issues: Sequence[DataIssue] = (),
    provenance: Provenance | None = None,
) -> StoredEpisode:
    """Write an episode. `expected_version` is the version the writer read (None to create): if someone saved
    since, nothing is written and ConflictError says so. `sources` maps a fact id to where it came from;
    `provenance` (an import's merge) gives every fact's source and matched source by position instead."""
    document = episode_document(episode)
    if provenance is not None:
        kept = provenance
    else:
        kept = kept_provenance(connection, episode) if expected_version is not None else {}
    # The record's issues are part of what an assessment shows, so they are part of what it was made from.
    issues = orjson.dumps([_issue_row(i) for i in record_issues]).decode()
    digest = fingerprint(document, issues.encode())
    patient_id = episode.patient.id
    values = {
        "document": document.decode(),
        "fingerprint": digest,
        "record_issues": issues,
        "updated_at": now,
        "updated_by": actor,
    }
    if expected_version is None:
        exists = ConflictError(f"patient `{patient_id}` already exists; open it and edit it instead")
        if connection.execute(select(episodes.c.version).where(episodes.c.patient_id == patient_id)).first():
            raise exists
        try:
            connection.execute(insert(episodes).values(patient_id=patient_id, version=1, **values))
        except IntegrityError:  # created by someone else since the check above
            raise exists from None
        version = 1
    else:
        version = expected_version + 1
        result = connection.execute(
            update(episodes)
            .where(episodes.c.patient_id == patient_id, episodes.c.version == expected_version)
            .values(version=version, **values)
        )
        if result.rowcount != 1:
            current = connection.execute(
                select(episodes.c.version, episodes.c.updated_by).where(episodes.c.patient_id == patient_id)
            ).first()
            if current is None:
                raise NotFoundError(f"no patient `{patient_id}`")
            raise ConflictError(
                f"patient `{patient_id}` was changed by {current.updated_by} (version {current.version}) after you "
                f"opened version {expected_version}; nothing was saved: reload the patient and re-enter the change"
            )
    write_facts(connection, episode, actor, sources or {}, kept)
    generation.bump(connection)  # this patient's assessments are not current now
    # Assessments of the episode's earlier versions can never be current again.
    connection.execute(
        delete(assessments).where(assessments.c.patient_id == patient_id, assessments.c.fingerprint != digest)
    )
    return StoredEpisode(episode, tuple(record_issues), version, digest, now, actor)


def current_version(connection: Connection, patient_id: str) -> int | None:
    """The stored version of a patient's episode, or None when there is none."""
    row = connection.execute(select(episodes.c.version).where(episodes.c.patient_id == patient_id)).first()
    return int(row.version) if row is not None else None


def patient_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(episodes)).scalar_one())


def delete_episode(connection: Connection, patient_id: str, expected_version: int | None) -> int:
    """Delete a patient's record, its facts, stored assessments and import digests (so the same Bundle can bring
    it back); with `expected_version`, only that version. Returns the version deleted."""
    row = connection.execute(select(episodes.c.version).where(episodes.c.patient_id == patient_id)).first()
    if row is None:
        raise NotFoundError(f"no patient `{patient_id}`")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"patient `{patient_id}` is at version {row.version}, not {expected_version}; nothing was deleted"
        )
    connection.execute(delete(imports).where(imports.c.patient_id == patient_id))
    connection.execute(delete(removed_facts).where(removed_facts.c.patient_id == patient_id))
    connection.execute(delete(assessments).where(assessments.c.patient_id == patient_id))
    connection.execute(delete(facts).where(facts.c.patient_id == patient_id))
    connection.execute(delete(patient_coverage).where(patient_coverage.c.patient_id == patient_id))
    connection.execute(delete(episodes).where(episodes.c.patient_id == patient_id))
    generation.bump(connection)
    return int(row.version)


def load_episode(connection: Connection, patient_id: str) -> StoredEpisode:
    row = connection.execute(select(episodes).where(episodes.c.patient_id == patient_id)).first()
    if row is None:
        raise NotFoundError(f"no patient `{patient_id}`")
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
    episode, issues = decode_episode(row.document, row.record_issues)
    return StoredEpisode(episode, issues, row.version, row.fingerprint, updated, row.updated_by)


def decode_episode(document: str, record_issues: str) -> tuple[Episode, tuple[DataIssue, ...]]:
    """A stored episode and its record issues from their two columns."""
    return Episode.model_validate_json(document), tuple(_issue(item) for item in orjson.loads(record_issues))


def _issue_row(issue: DataIssue) -> list[Any]:
    """[severity, location, message], and a dispute's particulars when it has one (older rows have three)."""
    row: list[Any] = [issue.severity, issue.location, issue.message]
    if issue.dispute is not None:
        row.append(dataclasses.asdict(issue.dispute))
    return row


def _issue(row: list[Any]) -> DataIssue:
    if len(row) < 4:
        return DataIssue(*row)
    found = row[3]
    values = tuple((str(name), str(held), str(other)) for name, held, other in found["values"])
    return DataIssue(row[0], row[1], row[2], Dispute(**{**found, "values": values}))


def remember_import(connection: Connection, digest: str, patient_id: str, actor: str, now: dt.datetime) -> bool:
    """Record that these exact resources were imported; False when they already were (re-import is a no-op)."""
    if connection.execute(select(imports.c.digest).where(imports.c.digest == digest)).first():
        return False
    connection.execute(insert(imports).values(digest=digest, patient_id=patient_id, imported_at=now, imported_by=actor))
    return True


def save_assessment(
    connection: Connection,
    assessment: Assessment,
    episode_fingerprint: str,
    *,
    now: dt.datetime | None = None,
    keep_dates: int | None = None,
    work: WorkItems = (),
) -> None:
    """Keep an assessment (idempotent for the same patient, rule-set version, as-of date and episode). The store
    is a cache: with `keep_dates`, it holds the assessments of at most that many (rule set, as-of date) pairs, and
    a new pair pushes out the one stored longest ago, so no reader can grow it by asking for ever new dates."""
    row = assessment_row(assessment, episode_fingerprint, now, work)
    key = {k: row[k] for k in ("patient_id", "ruleset_id", "ruleset_version", "as_of", "fingerprint")}
    exists = connection.execute(
        select(func.count()).select_from(assessments).where(and_(*(assessments.c[k] == v for k, v in key.items())))
    ).scalar_one()
    if exists:
        return
    pair = (assessments.c.ruleset_id == assessment.ruleset_id, assessments.c.as_of == assessment.as_of)
    new_pair = connection.execute(select(assessments.c.patient_id).where(*pair).limit(1)).first() is None
    connection.execute(insert(assessments).values(**row))
    if new_pair and keep_dates is not None:
        keep_newest_pairs(connection, keep_dates)


WorkItems = Sequence[tuple[str, str, str]]
"""Why the patient is on the worklist: (joint, reason, detail) each (`pathway.worklist.work_items`)."""


def assessment_row(
    assessment: Assessment, episode_fingerprint: str, now: dt.datetime | None, work: WorkItems = ()
) -> dict[str, Any]:
    """The `assessments` row of an assessment of the episode with this fingerprint, with its worklist reasons."""
    return {
        "patient_id": assessment.patient_id,
        "ruleset_id": assessment.ruleset_id,
        "ruleset_version": assessment.ruleset_version,
        "as_of": assessment.as_of,
        "fingerprint": episode_fingerprint,
        "stored_at": now,
        "stage": joint_tokens((u.key, u.stage) for u in assessment.units),
        "next_step": joint_tokens((u.key, u.next_step.code) for u in assessment.units),
        "flags": " ".join(assessment.flag_codes),
        "document": orjson.dumps(assessment.to_dict()).decode(),
        "worklist": worklist_tokens(work),
        "worklist_detail": orjson.dumps([list(item) for item in work]).decode(),
    }


def worklist_tokens(work: WorkItems) -> str:
    """`left:stale-evidence left:data-issues`: each (joint, reason) once, in order, within the column's width."""
    tokens = list(dict.fromkeys(f"{joint}:{reason}" for joint, reason, _ in work))
    return " ".join(tokens)[:400]


def keep_newest_pairs(connection: Connection, keep: int) -> None:
    """Drop the stored assessments of all but the `keep` (rule set, as-of date) pairs stored most recently."""
    newest = func.max(assessments.c.stored_at)
    pairs = connection.execute(
        select(assessments.c.ruleset_id, assessments.c.as_of, newest.label("stored"))
        .group_by(assessments.c.ruleset_id, assessments.c.as_of)
        .order_by(newest.desc().nulls_last())
    ).all()
    if pairs[keep:]:
        generation.bump(connection)  # the patients of the pairs dropped are unassessed on those days again
    for ruleset_id, as_of, _ in pairs[keep:]:
        connection.execute(
            delete(assessments).where(assessments.c.ruleset_id == ruleset_id, assessments.c.as_of == as_of)
        )


def joint_tokens(pairs: Iterable[tuple[str, str]]) -> str:
    """`left:fusion-evaluation right:diagnostic-block`: one token per joint, in joint order, so the list can show,
    filter (by `:code`) and sort by each joint's stage or step without reading the stored document."""
    return " ".join(f"{joint}:{code}" for joint, code in pairs)
