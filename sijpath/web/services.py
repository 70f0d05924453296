"""What the web app does with the store: assess and remember, import Bundles patient by patient, audit every access."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import orjson
from sqlalchemy import Connection, Engine

from sijpath.domain.disputes import carry_disputes
from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.domain.merging import merge_record
from sijpath.engine.assessment import Assessment
from sijpath.engine.compare import Comparison, compare
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import SijpathError
from sijpath.fhir.bundle import parse_bundle
from sijpath.fhir.reader import ImportedEpisode
from sijpath.limits import check_json
from sijpath.outcomes.eq5d import Eq5dValueSet
from sijpath.outcomes.local_results import LocalResults
from sijpath.outcomes.published import PublishedResult
from sijpath.pathway.assess import evaluate
from sijpath.pathway.worklist import work_items
from sijpath.settings import Settings
from sijpath.store import audit, generation, import_runs, removals
from sijpath.store import episodes as store
from sijpath.store.accounts import User
from sijpath.store.database import transaction
from sijpath.store.provenance import fact_provenance
from sijpath.web.aids import DecisionAidMaker
from sijpath.web.letter_service import LetterWriter

__all__ = ["App", "ImportResult", "RulesetLoader"]


class RulesetLoader(Protocol):
    """A rule set by id as in force on a date, for the patient's Medicare contractor if given (wiring's
    `load_ruleset`)."""

    def __call__(self, ruleset_id: str, as_of: dt.date, contractor: str | None = None, /) -> RuleSet: ...


@dataclass(frozen=True, slots=True)
class ImportResult:
    """One patient of an import: its version, and what became of the facts the Bundle holds for it."""

    patient_id: str
    created: bool
    unchanged: bool
    version: int
    issues: int
    new: int = 0
    matched: int = 0
    conflicting: int = 0
    skipped: int = 0

    @property
    def facts(self) -> str:
        """`3 new, 12 matched, 1 conflicting, 0 skipped`."""
        return f"{self.new} new, {self.matched} matched, {self.conflicting} conflicting, {self.skipped} skipped"


@dataclass(frozen=True)
class App:
    """The services the pages and the API share; `now` is the one clock, injected so tests control it, and
    `decision_aid` makes a joint's patient decision aid (None: the app shows none)."""

    engine: Engine
    settings: Settings
    load_ruleset: RulesetLoader
    ruleset_ids: tuple[str, ...]
    now: Callable[[], dt.datetime]
    # The outcomes pages' published results and the citation label of every source they and the thresholds name.
    published: tuple[PublishedResult, ...] = ()
    source_labels: Mapping[str, str] = field(default_factory=dict)
    decision_aid: DecisionAidMaker | None = None
    letters: LetterWriter | None = None  # prior-authorization letters (None: the app makes none)
    eq5d_value_set: Eq5dValueSet | None = None  # the configured EQ-5D-5L value set (None: the index stays empty)
    # This clinic's own results from the registry as of a day, cached (None: the assessment page shows none).
    local_results: Callable[[dt.date], LocalResults] | None = None
    # Per (rule set, version, day): the episodes' change counter when every patient was last found assessed.
    _everyone_assessed: dict[tuple[str, str, dt.date], int] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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
        self,
        connection: Connection,
        stored: store.StoredEpisode,
        ruleset_id: str,
        as_of: dt.date,
        contractor: str | None = None,
    ) -> Assessment:
        """Assess under a rule set (for the patient's Medicare contractor, if known) and keep the result, so the
        patient list can show and filter it."""
        ruleset = self.load_ruleset(ruleset_id, as_of, contractor)
        assessment = evaluate(stored.episode, ruleset, as_of, stored.record_issues)
        self._keep(connection, assessment, stored.fingerprint, ruleset)
        return assessment

    def _keep(self, connection: Connection, assessment: Assessment, fingerprint: str, ruleset: RuleSet) -> None:
        keep = self.settings.assessment_cache_dates
        work = work_items(assessment, ruleset)
        store.save_assessment(connection, assessment, fingerprint, now=self.now(), keep_dates=keep, work=work)

    def comparison(
        self,
        stored: store.StoredEpisode,
        as_of: dt.date,
        ruleset_ids: Sequence[str] = (),
        contractor: str | None = None,
    ) -> Comparison:
        """The episode under each of `ruleset_ids` (every built-in one by default) in force on the date, side by
        side; a Medicare LCD in the version the patient's contractor adopted."""
        rulesets = []
        for ruleset_id in ruleset_ids or self.ruleset_ids:
            try:
                rulesets.append(self.load_ruleset(ruleset_id, as_of, contractor))
            except Exception:  # noqa: S112 - a rule set not in force on the date is simply not compared
                continue
        return compare([evaluate(stored.episode, r, as_of, stored.record_issues) for r in rulesets])

    def assess_unassessed(self, ruleset_id: str, as_of: dt.date, among: list[str] | None = None) -> int:
        """Assess the patients (all, or `among`) whose current episode has no stored assessment under this rule
        set on this date, so the list can show, filter and sort by next step; returns how many."""
        with transaction(self.engine) as connection:
            ruleset = self.load_ruleset(ruleset_id, as_of)
            key = (ruleset_id, ruleset.version, as_of)
            seen = generation.current(connection)  # read first: a change made meanwhile is caught next time
            if among is None and self._everyone_assessed.get(key) == seen:
                return 0  # nothing changed since every patient was found assessed (asking reads every patient)
            ids = store.unassessed(
                connection, ruleset_id=ruleset_id, as_of=as_of, among=among, ruleset_version=ruleset.version
            )
            if among is None:
                self._everyone_assessed[key] = seen
            if not ids:
                return 0
            for patient_id in ids:
                stored = store.load_episode(connection, patient_id)
                assessment = evaluate(stored.episode, ruleset, as_of, stored.record_issues)
                self._keep(connection, assessment, stored.fingerprint, ruleset)
        return len(ids)

    def save(
        self,
        user: User,
        episode: Episode,
        expected_version: int | None,
        remote: str,
        action: str = "update",
        detail: str = "",
        also: Callable[[Connection], str] | None = None,
        record_issues: Sequence[DataIssue] | None = None,
    ) -> store.StoredEpisode:
        """Save a clinician's edit; the issues found when the record was imported stay with it (a dispute follows
        its fact, and ends when the edit changes or removes that fact), unless `record_issues` replaces them. `also`
        writes what belongs with the edit in the same transaction (a removal's record) and returns more audit
        detail."""
        with transaction(self.engine) as connection:
            before = store.load_episode(connection, episode.patient.id) if expected_version is not None else None
            if record_issues is None:
                record_issues, settled = carry_disputes(episode, before.record_issues if before else ())
                if settled:
                    detail = "; ".join(d for d in (detail, f"dispute on {', '.join(settled)} settled by the edit") if d)
            stored = store.save_episode(
                connection,
                episode,
                expected_version=expected_version,
                actor=user.username,
                now=self.now(),
                record_issues=record_issues,
            )
            if also is not None:
                detail = "; ".join(d for d in (detail, also(connection)) if d)
            note = f"version {stored.version}" + (f"; {detail}" if detail else "")
            self.audit(connection, user, action, episode.patient.id, remote, note)
            self.assess(connection, stored, self.settings.default_ruleset, self.today())
        return stored

    def import_bundle(self, user: User, data: bytes, origin: str, remote: str) -> list[ImportResult]:
        """Import every patient of a Bundle, each patient in its own short transaction (all of that patient or
        nothing), so reads and other writes are never queued behind the whole import; the import journal
        (`import_runs`) says how far it got. Re-importing the same resources changes nothing, so a failed import
        is finished by sending the same Bundle again. For a known patient, the Bundle's facts are merged into the
        record as its next version: an event already recorded is matched (kept once), a conflicting value is
        reported and the record's kept, facts an earlier import brought give way to this one's."""
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
        """Merge the patient's imported facts into the record (domain/merging.py has the rules): the same event is
        kept once with both sources, a conflicting value is a data issue and never overwrites the record."""
        patient_id = imported.episode.patient.id
        existing = store.current_version(connection, patient_id)
        fresh = store.remember_import(connection, digest, patient_id, user.username, self.now())
        if existing is None:
            held, provenance, removed = Episode(patient=imported.episode.patient), {}, {}
            before: store.StoredEpisode | None = None
        else:
            before = store.load_episode(connection, patient_id)
            held, provenance = before.episode, fact_provenance(connection, patient_id)
            removed = removals.removed_by_list(connection, patient_id)
        merge = merge_record(held, provenance, imported.episode, removed, origin)
        issues = (*imported.issues, *merge.issues)
        counts = merge.counts
        result = functools.partial(
            ImportResult,
            patient_id,
            issues=len(issues),
            new=counts.new,
            matched=counts.matched,
            conflicting=counts.conflicting,
            skipped=counts.skipped,
        )
        unchanged = before is not None and (before.episode, before.record_issues, provenance) == (
            merge.episode,
            issues,
            merge.provenance,
        )
        if not fresh or unchanged:  # these resources, or the same events, are in the record as they are
            return result(created=False, unchanged=True, version=existing or 0)
        stored = store.save_episode(
            connection,
            merge.episode,
            expected_version=existing,
            actor=user.username,
            now=self.now(),
            record_issues=issues,
            provenance=merge.provenance,
        )
        summary = result(created=existing is None, unchanged=False, version=stored.version)
        note = f"{origin}: version {stored.version}, facts {summary.facts}, {len(issues)} data issue(s)"
        self.audit(connection, user, "import", patient_id, remote, note)
        self.assess(connection, stored, self.settings.default_ruleset, self.today())
        return summary

    def history(self, connection: Connection, patient_id: str) -> list[dict[str, object]]:
        return audit.history(connection, patient_id)
