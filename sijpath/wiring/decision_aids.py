"""Decision aids of an assessed episode (outcome evidence, catalog, the rule set's coverage and the RFAs on record),
and one joint's aid as the web app uses it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import Engine

from sijpath import __version__
from sijpath.decisionaid.aid import NAMES, Aid, build_aid
from sijpath.decisionaid.answers import IMPORTANCE, SURE_QUESTIONS, VALUE_QUESTIONS, AidAnswers, parse_answers
from sijpath.decisionaid.evidence import load_outcome_evidence
from sijpath.decisionaid.note import NOT_RECORDED, check_leaning, note_markdown, sure_summary
from sijpath.decisionaid.render import aid_html_body
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import NotFoundError, UnreadableInputError
from sijpath.limits import check_yaml
from sijpath.outcomes.local_results import LocalResults, local_results
from sijpath.pathway.assess import evaluate
from sijpath.pathway.thresholds import MIN_LASTING_INJECTION_RELIEF_PERCENT

__all__ = [
    "DEFAULT_RELIEF_NEEDED",
    "WebAid",
    "cached_local_results",
    "decision_aids",
    "load_answers",
    "registry_decision_aids",
    "web_decision_aid",
]

DEFAULT_RELIEF_NEEDED = 50.0  # when a user's rule set sets no lasting-relief threshold: the Medicare standard


def decision_aids(
    assessment: Assessment,
    rules: RuleSet,
    episode: Episode,
    units: Iterable[UnitAssessment] | None = None,
    local: LocalResults | None = None,
    generated_on: dt.date | None = None,
) -> list[Aid]:
    """One aid per unit (every assessed joint by default) of `assessment`, made from `episode` under `rules`;
    `local` is this clinic's own results from its registry, shown beside the cited evidence; `generated_on` is the
    day it is produced (the caller's clock), printed apart from the as-of date."""
    from sijpath.wiring import load_catalog  # the package imports this module's callers, not this module

    catalog = load_catalog()
    evidence = load_outcome_evidence(catalog)
    # An RFA "helped" by the rule set's own lasting-relief threshold, the one the pathway judges injections by.
    relief = rules.thresholds.get(MIN_LASTING_INJECTION_RELIEF_PERCENT.name)
    relief_needed = float(relief.value) if relief is not None else DEFAULT_RELIEF_NEEDED
    chosen = assessment.units if units is None else units
    # A payer's rule set decides coverage, not the clinical message: the aid is built from the clinical pathway's
    # assessment of the same joint, and the payer's unmet criteria go on each option's coverage line.
    clinical = _clinical(assessment, rules, episode)
    by_key = {unit.key: unit for unit in clinical.units} if clinical is not None else {}
    return [
        build_aid(
            clinical or assessment,
            by_key.get(unit.key, unit),
            evidence,
            catalog,
            rules.coverage,
            episode.radiofrequency_ablations,
            relief_needed,
            local,
            plan=(assessment, unit) if clinical is not None else None,
            generated_on=generated_on,
            version=__version__,
        )
        for unit in chosen
    ]


def _clinical(assessment: Assessment, rules: RuleSet, episode: Episode) -> Assessment | None:
    """The episode assessed under the clinical pathway (the default rule set), or None when `rules` is that one."""
    from sijpath.wiring import DEFAULT_RULESET, load_ruleset

    if rules.id == DEFAULT_RULESET:
        return None
    return evaluate(episode, load_ruleset(DEFAULT_RULESET, assessment.as_of), assessment.as_of)


def load_answers(path: Path) -> AidAnswers:
    """A patient's decision-aid answers from a YAML or JSON file (JSON is YAML), checked like any other input."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UnreadableInputError(f"{path}: not UTF-8 text") from None
    check_yaml(text, f"answers file {path}")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UnreadableInputError(f"{path}: not valid YAML or JSON ({exc})") from None
    if data is not None and not isinstance(data, dict):
        raise UnreadableInputError(f"{path}: decision-aid answers must be a mapping (values, sure, leaning)")
    return parse_answers(data, str(path))


@dataclass(frozen=True)
class WebAid:
    """One joint's aid as the web app shows, records and downloads it (`sijpath.web.aids.DecisionAid`)."""

    aid: Aid

    @property
    def joint_key(self) -> str:
        return self.aid.joint_key

    @property
    def joint(self) -> str:
        return self.aid.joint

    @property
    def html(self) -> str:
        return aid_html_body(self.aid)

    @property
    def leanings(self) -> tuple[tuple[str, str], ...]:
        return (*((o.key, NAMES[o.key]) for o in self.aid.options), ("unsure", "Not sure yet"))

    @property
    def value_questions(self) -> tuple[tuple[str, str], ...]:
        return tuple(VALUE_QUESTIONS)

    @property
    def importance(self) -> tuple[tuple[str, str], ...]:
        return tuple(IMPORTANCE.items())

    @property
    def sure_questions(self) -> tuple[tuple[str, str], ...]:
        return tuple(SURE_QUESTIONS)

    def _answers(self, answers: dict[str, Any] | Any) -> AidAnswers:
        parsed = parse_answers(dict(answers), "decision-aid answers")
        check_leaning(self.aid, parsed)
        return parsed

    def checked(self, answers: Any) -> dict[str, Any]:
        data: dict[str, Any] = self._answers(answers).model_dump(mode="json", exclude_none=True)
        return data

    def answered(self, answers: Any) -> tuple[tuple[str, str], ...]:
        parsed = self._answers(answers)
        values = tuple(
            (text, IMPORTANCE[parsed.values[key]] if key in parsed.values else NOT_RECORDED)
            for key, text in VALUE_QUESTIONS
        )
        sure = tuple(
            (text, ("yes" if parsed.sure[key] else "no") if key in parsed.sure else NOT_RECORDED)
            for key, text in SURE_QUESTIONS
        )
        leaning = NAMES.get(parsed.leaning, "Not sure yet") if parsed.leaning else NOT_RECORDED
        return (
            *values,
            *sure,
            ("SURE score", sure_summary(parsed)),
            ("The option the patient leans toward", leaning),
            ("Discussed with", parsed.discussed_with or NOT_RECORDED),
        )

    def pdf(self) -> bytes:
        from sijpath.decisionaid.pdf import aid_pdf  # fpdf2 loads only when a PDF is asked for

        return aid_pdf(self.aid)

    def note(self, answers: Any) -> str:
        return note_markdown(self.aid, self._answers(answers))

    def fhir(self, answers: Any) -> bytes:
        from sijpath.decisionaid.fhir_note import note_bundle

        return orjson.dumps(note_bundle(self.aid, self._answers(answers)), option=orjson.OPT_INDENT_2) + b"\n"


def web_decision_aid(
    assessment: Assessment, rules: RuleSet, episode: Episode, joint: str, local: LocalResults | None = None
) -> WebAid:
    """The aid of one assessed joint of `episode`, for the web app."""
    units = [unit for unit in assessment.units if unit.key == joint]
    if not units:
        assessed = ", ".join(unit.key for unit in assessment.units) or "none"
        raise NotFoundError(f"no decision aid for the {joint[:20]} joint: the joints assessed are {assessed}")
    (aid,) = decision_aids(assessment, rules, episode, units, local, generated_on=dt.date.today())
    return WebAid(aid)


LOCAL_RESULTS_FRESH = dt.timedelta(minutes=10)  # how long the clinic's figures are reused before the registry is read


def cached_local_results(engine: Engine, clock: Callable[[], dt.datetime]) -> Callable[[dt.date], LocalResults]:
    """This clinic's own results as of a day, read from the registry at most once every ten minutes per day (the
    whole registry is read; a page must not wait for that every time). The assessment page and the decision aid
    share one cache."""
    cache: dict[dt.date, tuple[dt.datetime, LocalResults]] = {}

    def figures(as_of: dt.date) -> LocalResults:
        now = clock()
        kept = cache.get(as_of)
        if kept is None or now - kept[0] > LOCAL_RESULTS_FRESH:
            if len(cache) > 64:  # pages of many different days: start again rather than grow without bound
                cache.clear()
            with engine.connect() as connection:
                kept = cache[as_of] = (now, local_results(connection, as_of))
        return kept[1]

    return figures


def registry_decision_aids(
    engine: Engine,
    clock: Callable[[], dt.datetime],
    figures: Callable[[dt.date], LocalResults] | None = None,
) -> Callable[..., WebAid]:
    """`web_decision_aid` with this clinic's own results as of each aid's day (`figures`, cached; by default a
    cache of its own)."""
    read = figures or cached_local_results(engine, clock)

    def make(assessment: Assessment, rules: RuleSet, episode: Episode, joint: str) -> WebAid:
        return web_decision_aid(assessment, rules, episode, joint, read(assessment.as_of))

    return make
