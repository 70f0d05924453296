"""IPDAS self-check of an aid: 6 qualifying and 6 certification criteria, frames, reading grade, stale evidence."""

from __future__ import annotations

from dataclasses import dataclass

from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.evidence import OutcomeRow
from sijpath.decisionaid.readability import MAX_GRADE
from sijpath.decisionaid.render import aid_markdown, aid_readability, row_sentences

__all__ = ["CHECKS", "CheckResult", "check_aid", "failures"]

# Short code and wording of every criterion, in the order a report shows them (Q = qualifying, C = certification).
CHECKS: tuple[tuple[str, str], ...] = (
    ("Q1", "describes the condition"),
    ("Q2", "states the decision"),
    ("Q3", "describes the options, wait and see among them"),
    ("Q4", "benefits of each option"),
    ("Q5", "harms of each option"),
    ("Q6", "what each option is like to live through"),
    ("C1", "benefits and harms in equal detail"),
    ("C2", "citations to the evidence"),
    ("C3", "production date"),
    ("C4", "update policy"),
    ("C5", "uncertainty around the numbers"),
    ("C6", "funding and conflicts disclosed"),
    ("same-frame", "options compared share a denominator and time frame"),
    ("both-frames", "gain and loss frames both given"),
    ("grade", f"reading grade ≤ {MAX_GRADE:g}"),
    ("evidence", "evidence not older than the update policy allows"),
    ("statement", "says it supports a conversation and is not a recommendation"),
)
_WORDS = dict(CHECKS)
# Criteria about options do not apply when no option is shown (red flags, exclusions, side unknown, pivot, ...).
_ABOUT_OPTIONS = ("Q3", "Q4", "Q5", "Q6", "C1", "C2", "C5", "same-frame", "both-frames")
# Every outcome told with a number carries these parts, benefit or harm alike: that is "equal detail" here.
_PARTS = ("out of 100 people had this", "did not", "Study:", "people:", "paid for by:")
UNCERTAINTY_MARKS = ("range of likely values", "how sure these numbers are is not known")


@dataclass(frozen=True)
class CheckResult:
    """One criterion for one aid: passed, failed, or not applicable, and why."""

    code: str
    passed: bool
    detail: str = ""
    applies: bool = True

    @property
    def criterion(self) -> str:
        return f"{self.code}: {_WORDS[self.code]}"

    @property
    def status(self) -> str:
        return "n/a" if not self.applies else "pass" if self.passed else "FAIL"


def failures(results: list[CheckResult]) -> list[CheckResult]:
    """The results that apply and failed."""
    return [r for r in results if r.applies and not r.passed]


def _frames(row: OutcomeRow) -> bool:
    n = row.per_100()
    return n is not None and f"about {n} out of 100 people had this, and {100 - n} out of 100 did not" in (
        row_sentences(row)
    )


def _known_rows(aid: Aid) -> list[OutcomeRow]:
    return [row for option in aid.options for row in (*option.benefits, *option.harms) if row.known]


def _option_results(aid: Aid, md: str) -> list[CheckResult]:
    rows = [row for option in aid.options for row in (*option.benefits, *option.harms)]
    known = [row for row in rows if row.known]
    uneven = [
        f"{o.key}: {len(o.benefits)} benefits, {len(o.harms)} harms"
        for o in aid.options
        if not o.benefits or not o.harms
    ]
    thin = [r.outcome for r in known if not all(part in row_sentences(r) for part in _PARTS)]
    uncited = [r.outcome for r in known if not r.cites or not r.months]
    unlisted = sorted({sid for r in rows for sid in r.cites} - {s.id for s in aid.sources})
    unsure = [r.outcome for r in known if not any(m in row_sentences(r).lower() for m in UNCERTAINTY_MARKS)]
    mixed = [f"{c.outcome}" for c in aid.comparisons if len({r.months for r in c.rows}) != 1]
    one_frame = [r.outcome for r in known if not _frames(r)]
    keys = [o.key for o in aid.options]
    return [
        CheckResult("Q3", "wait-and-see" in keys and len(keys) > 1, ", ".join(keys)),
        CheckResult("Q4", all(o.benefits for o in aid.options)),
        CheckResult("Q5", all(o.harms for o in aid.options)),
        CheckResult("Q6", all(o.living_with for o in aid.options)),
        CheckResult("C1", not uneven and not thin, "; ".join(uneven + thin)),
        CheckResult(
            "C2", not uncited and not unlisted and bool(aid.sources), "; ".join(uncited + unlisted) or "all cited"
        ),
        CheckResult("C5", not unsure and "## How sure are these numbers" in md, "; ".join(unsure)),
        CheckResult(
            "same-frame",
            not mixed,
            "; ".join(mixed) or f"{len(aid.comparisons)} comparisons, each out of 100 at one time point",
        ),
        CheckResult("both-frames", not one_frame, "; ".join(one_frame)),
    ]


def check_aid(aid: Aid) -> list[CheckResult]:
    """Every criterion for the aid, in CHECKS order; a clarify-only aid shows no options, so option criteria are n/a."""
    md = aid_markdown(aid)
    reading = aid_readability(aid)
    due = aid.evidence_due.isoformat()
    stale = f"STALE: evidence last reviewed {aid.evidence_reviewed}, review was due by {due}"
    by_code = {
        "Q1": CheckResult("Q1", "## The problem" in md),
        "Q2": (
            CheckResult("Q2", "## What needs to happen first" in md, "no decision yet: says what must happen first")
            if aid.clarify
            else CheckResult("Q2", "## The decision" in md)
        ),
        "C3": CheckResult("C3", f"Record read as of {aid.made_on.isoformat()}" in md, aid.made_on.isoformat()),
        "C4": CheckResult(
            "C4", f"reviewed every {aid.review_every_months} months" in md, f"every {aid.review_every_months} months"
        ),
        # Who paid is said per study shown; an aid whose options carry no study numbers has only the project's line.
        "C6": CheckResult("C6", "Funding:" in md and ("paid for by" in md.lower() or not _known_rows(aid))),
        "grade": CheckResult("grade", reading.passes, reading.describe()),
        "evidence": CheckResult(
            "evidence",
            not aid.evidence_stale,
            stale if aid.evidence_stale else f"reviewed {aid.evidence_reviewed}, next due by {due}",
        ),
        "statement": CheckResult("statement", aid.statement in md),
    }
    if aid.clarify:
        by_code |= {code: CheckResult(code, True, "no options shown", applies=False) for code in _ABOUT_OPTIONS}
    else:
        by_code |= {r.code: r for r in _option_results(aid, md)}
    return [by_code[code] for code, _ in CHECKS]
