"""What the web app does with the store: assess and remember, import Bundles patient by patient, audit every access."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, Engine

from sijpath.domain.episode import Episode
from sijpath.domain.fact_lists import FACT_LISTS
from sijpath.engine.assessment import Assessment
from sijpath.engine.compare import Comparison, compare
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import SijpathError
from sijpath.fhir.bundle import parse_bundle
from sijpath.fhir.reader import ImportedEpisode
from sijpath.limits import check_json
from sijpath.pathway.assess import evaluate
from sijpath.settings import Settings
from sijpath.store import audit, import_runs
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.database import transaction
from sijpath.web.letter_service import LetterWriter

__all__ = ["App", "ImportResult", "RulesetLoader"]

RulesetLoader = Callable[[str, dt.date], RuleSet]
"""A rule set by id as in force on a date (wiring's `load_ruleset`)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    patient_id: str
    created: bool
    unchanged: bool
    version: int
    issues: int


@dataclass(frozen=True)
class App:
    """The services the pages and the API share; `now` is the one clock, injected so tests control it."""

    engine: Engine
    settings: Settings
    load_ruleset: RulesetLoader
    ruleset_ids: tuple[str, ...]
    now: Callable[[], dt.datetime]
    letters: LetterWriter | None = None  # prior-authorization letters (None: the app makes none)

    def today(self) -> dt.date:
        """The default as-of date: today where the server runs (a UTC date would turn at the wrong hour)."""
        return self.now().astimezone().date()

    def audit(
        self, connection: Connection, user: User, action: str, patient_id: str | None, remote: str, detail: str = ""
    ) -> None:
        audit.record(
            connection,
            actor=user.username,
            action=action,
            patient_id=patient_id,
            detail=detail,
            remote=remote,
            at=self.now(),
        )

    def assess(
        self, connection: Connection, stored: store.StoredEpisode, ruleset_id: str, as_of: dt.date
    ) -> Assessment:
        """Assess under a rule set and keep the result, so the patient list can show and filter it."""
        ruleset = self.load_ruleset(ruleset_id, as_of)
        assessment = evaluate(stored.episode, ruleset, as_of, stored.record_issues)
        self._keep(connection, assessment, stored.fingerprint)
        return assessment

    def _keep(self, connection: Connection, assessment: Assessment, fingerprint: str) -> None:
        keep = self.settings.assessment_cache_dates
        store.save_assessment(connection, assessment, fingerprint, now=self.now(), keep_dates=keep)

    def comparison(self, stored: store.StoredEpisode, as_of: dt.date) -> Comparison:
        rulesets = []
        for ruleset_id in self.ruleset_ids:
            try:
                rulesets.append(self.load_ruleset(ruleset_id, as_of))
            except Exception:  # noqa: S112 - a rule set not in force on the date is simply not compared
                continue
        return compare([evaluate(stored.episode, r, as_of, stored.record_issues) for r in rulesets])

    def assess_unassessed(self, ruleset_id: str, as_of: dt.date, among: list[str] | None = None) -> int:
        """Assess the patients (all, or `among`) whose current episode has no stored assessment under this rule
        set on this date, so the list can show, filter and sort by next step; returns how many."""
        with transaction(self.engine) as connection:
            ruleset = self.load_ruleset(ruleset_id, as_of)
            ids = store.unassessed(
                connection, ruleset_id=ruleset_id, as_of=as_of, among=among, ruleset_version=ruleset.version
            )
            if not ids:
                return 0
            for patient_id in ids:
                stored = store.load_episode(connection, patient_id)
                assessment = evaluate(stored.episode, ruleset, as_of, stored.record_issues)
                self._keep(connection, assessment, stored.fingerprint)
        return len(ids)

    def save(
        self,
        user: User,
        episode: Episode,
        expected_version: int | None,
        remote: str,
        action: str = "update",
        detail: str = "",
    ) -> store.StoredEpisode:
        """Save a clinician's edit; the issues found when the record was imported stay with it."""
        with transaction(self.engine) as connection:
            before = store.load_episode(connection, episode.patient.id) if expected_version is not None else None
            stored = store.save_episode(
                connection,
                episode,
                expected_version=expected_version,
                actor=user.username,
                now=self.now(),
                record_issues=before.record_issues if before else (),
            )
            note = f"version {stored.version}" + (f"; {detail}" if detail else "")
            self.audit(connection, user, action, episode.patient.id, remote, note)
            self.assess(connection, stored, self.settings.default_ruleset, self.today())
        return stored

    def import_bundle(self, user: User, data: bytes, origin: str, remote: str) -> list[ImportResult]:
        """Import every patient of a Bundle, each patient in its own short transaction (all of that patient or
        nothing), so reads and other writes are never queued behind the whole import; the import journal
        (`import_runs`) says how far it got. Re-importing the same resources changes nothing, so a failed import
        is finished by sending the same Bundle again. New resources for a known patient replace what came from
        FHIR before, as a new version, and keep the facts clinicians entered in sijpath."""
        check_json(data, f"FHIR Bundle ({origin})")
        groups = parse_bundle(data, origin)
        with transaction(self.engine) as connection:
            run = import_runs.start_run(connection, origin, user.username, len(groups.patients), self.now())
        results: list[ImportResult] = []
        patient_id = ""
        try:
            for patient_id, resources in groups.patients.items():
                # Reading the resources is CPU work: done before the transaction, which then only writes.
                digest = hashlib.sha256(orjson.dumps(resources, option=orjson.OPT_SORT_KEYS)).hexdigest()
                imported = groups.read(patient_id)
                with transaction(self.engine) as connection:
                    results.append(self._import_patient(connection, user, imported, digest, origin, remote))
                    import_runs.record_progress(connection, run, len(results))
        except Exception as exc:
            note = f"stopped at patient `{patient_id[:128]}` after {len(results)} of {len(groups.patients)}: "
            message = exc.message if isinstance(exc, SijpathError) else type(exc).__name__
            with transaction(self.engine) as connection:
                import_runs.finish_run(connection, run, "failed", self.now(), note + message)
            if not isinstance(exc, SijpathError):
                raise
            raise type(exc)(
                f"{note}{exc.message} (the {len(results)} before it are imported; send the same Bundle again to "
                "finish)",
                exc.problems,
            ) from None
        with transaction(self.engine) as connection:
            import_runs.finish_run(connection, run, "complete", self.now())
        return results

    def _import_patient(
        self, connection: Connection, user: User, imported: ImportedEpisode, digest: str, origin: str, remote: str
    ) -> ImportResult:
        patient_id = imported.episode.patient.id
        existing = store.current_version(connection, patient_id)
        if not store.remember_import(connection, digest, patient_id, user.username, self.now()):
            return ImportResult(patient_id, False, True, existing or 0, len(imported.issues))
        sources = {fid: f"fhir:{fid}" for fid in _fact_ids(imported.episode)}
        episode = imported.episode
        if existing is not None:  # what clinicians entered here is kept: the EHR does not know it
            episode = store.with_entered_facts(connection, episode)
        stored = store.save_episode(
            connection,
            episode,
            expected_version=existing,
            actor=user.username,
            now=self.now(),
            sources=sources,
            record_issues=imported.issues,
        )
        note = f"{origin}: version {stored.version}, {len(imported.issues)} data issue(s)"
        self.audit(connection, user, "import", patient_id, remote, note)
        self.assess(connection, stored, self.settings.default_ruleset, self.today())
        return ImportResult(patient_id, existing is None, False, stored.version, len(imported.issues))

    def history(self, connection: Connection, patient_id: str) -> list[dict[str, object]]:
        return audit.history(connection, patient_id)


def _fact_ids(episode: Episode) -> list[str]:
    return [fact.id for entry in FACT_LISTS for fact in getattr(episode, entry.name) if getattr(fact, "id", None)]
