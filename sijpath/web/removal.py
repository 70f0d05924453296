"""Correcting the record: removing a fact entered in error and undoing it (a soft delete an import does not undo),
and resolving a disputed fact; each audited."""

from __future__ import annotations

from sqlalchemy import Connection

from sijpath.domain.disputes import resolve_dispute
from sijpath.errors import ConflictError, InputError, NotFoundError
from sijpath.store import episodes as store
from sijpath.store import removals
from sijpath.store.accounts import User
from sijpath.store.database import transaction
from sijpath.store.provenance import fact_provenance
from sijpath.web.services import App

__all__ = ["remove_fact", "resolve", "restore_fact"]


def _opened(stored: store.StoredEpisode, version: int, what: str) -> None:
    if version != stored.version:
        raise ConflictError(
            f"the record changed (version {stored.version}) after you opened version {version}; nothing was "
            f"{what}: reload the patient and try again"
        )


def remove_fact(
    services: App, user: User, patient_id: str, list_name: str, position: int, version: int, remote: str
) -> int:
    """Take one fact out of the episode (it no longer counts) and keep it, with its provenance, for undo; returns
    the removal's id."""
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        provenance = fact_provenance(connection, patient_id).get((list_name, position), ("entered:unknown", None))
    _opened(stored, version, "removed")
    held = getattr(stored.episode, list_name)
    if not 0 <= position < len(held):
        raise NotFoundError(f"no {list_name}[{position}] in this episode (reload the page)")
    fact = held[position]
    episode = stored.episode.model_copy(update={list_name: held[:position] + held[position + 1 :]})
    removal = 0

    def remember(connection: Connection) -> str:
        nonlocal removal
        removal = removals.remember_removal(
            connection, patient_id, list_name, position, fact, provenance, user.username, services.now()
        )
        return f"removed {list_name}[{position}] {getattr(fact, 'id', None) or ''}".strip() + f" (removal {removal})"

    services.save(user, episode, version, remote, action="remove-fact", also=remember)
    return removal


def restore_fact(services: App, user: User, patient_id: str, removal_id: int, version: int, remote: str) -> None:
    """Undo a removal: the fact goes back where it was, with the provenance it had."""
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
        entry = next((r for r in removals.removed(connection, patient_id) if r.id == removal_id), None)
    if entry is None:
        raise NotFoundError(f"no removed fact {removal_id} to restore for patient `{patient_id}` (reload the page)")
    _opened(stored, version, "restored")
    held = getattr(stored.episode, entry.list_name)
    position = min(entry.position, len(held))
    episode = stored.episode.model_copy(update={entry.list_name: (*held[:position], entry.fact, *held[position:])})

    def restore(connection: Connection) -> str:
        removals.mark_restored(connection, patient_id, removal_id, user.username, services.now())
        removals.restore_provenance(connection, patient_id, entry, position)
        return f"restored {entry.list_name}[{position}] (removal {removal_id})"

    services.save(user, episode, version, remote, action="restore-fact", also=restore)


def resolve(services: App, user: User, patient_id: str, ref: str, choice: str, version: int, remote: str) -> None:
    """Settle a disputed fact by choosing the source that is right (audited); its criteria count again."""
    if choice not in ("record", "other"):
        raise InputError(f"choice must be `record` or `other`, not `{choice[:40]}`")
    with transaction(services.engine) as connection:
        stored = store.load_episode(connection, patient_id)
    _opened(stored, version, "resolved")
    resolved = resolve_dispute(stored.episode, stored.record_issues, ref, "record" if choice == "record" else "other")
    if resolved is None:
        raise NotFoundError(f"no open dispute on `{ref[:128]}` for patient `{patient_id}` (reload the page)")
    episode, issues, note = resolved
    services.save(user, episode, version, remote, action="resolve-dispute", detail=note, record_issues=issues)
