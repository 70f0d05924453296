"""`evaluate(episode, ruleset, as_of)`: the generic engine run on the SI-joint pathway."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sijpath.domain.episode import Episode
from sijpath.domain.issues import DataIssue
from sijpath.engine.assessment import Assessment
from sijpath.engine.evaluate import evaluate as evaluate_pathway
from sijpath.engine.ruleset import RuleSet
from sijpath.pathway.definition import SIJ_PATHWAY

__all__ = ["evaluate"]


def evaluate(episode: Episode, ruleset: RuleSet, as_of: dt.date, record_issues: Sequence[DataIssue] = ()) -> Assessment:
    """Assess an episode under a rule set as of a date, one SI joint at a time.

    Facts dated after `as_of` are set aside (each noted as a data issue), so re-running a past date reproduces
    what could have been concluded then. `record_issues` are what reading the source record found (a FHIR
    resource that could not be imported, say); they lead the assessment's data issues.
    """
    return evaluate_pathway(episode, SIJ_PATHWAY, ruleset, as_of, record_issues)
