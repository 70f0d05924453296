"""Decision aids of an assessed episode: outcome evidence, catalog, the rule set's coverage and the RFAs on record."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from sijpath.decisionaid.aid import Aid, build_aid
from sijpath.decisionaid.answers import AidAnswers, parse_answers
from sijpath.decisionaid.evidence import load_outcome_evidence
from sijpath.domain.episode import Episode
from sijpath.engine.assessment import Assessment, UnitAssessment
from sijpath.engine.ruleset import RuleSet
from sijpath.errors import UnreadableInputError
from sijpath.limits import check_yaml
from sijpath.pathway.thresholds import MIN_LASTING_INJECTION_RELIEF_PERCENT

__all__ = ["DEFAULT_RELIEF_NEEDED", "decision_aids", "load_answers"]

DEFAULT_RELIEF_NEEDED = 50.0  # when a user's rule set sets no lasting-relief threshold: the Medicare standard


def decision_aids(
    assessment: Assessment, rules: RuleSet, episode: Episode, units: Iterable[UnitAssessment] | None = None
) -> list[Aid]:
    """One aid per unit (every assessed joint by default) of `assessment`, made from `episode` under `rules`."""
    from sijpath.wiring import load_catalog  # the package imports this module's callers, not this module

    catalog = load_catalog()
    evidence = load_outcome_evidence(catalog)
    # An RFA "helped" by the rule set's own lasting-relief threshold, the one the pathway judges injections by.
    relief = rules.thresholds.get(MIN_LASTING_INJECTION_RELIEF_PERCENT.name)
    relief_needed = float(relief.value) if relief is not None else DEFAULT_RELIEF_NEEDED
    return [
        build_aid(assessment, unit, evidence, catalog, rules.coverage, episode.radiofrequency_ablations, relief_needed)
        for unit in (assessment.units if units is None else units)
    ]


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
