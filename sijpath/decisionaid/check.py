"""IPDAS self-check of a built aid: 6 qualifying and 6 certification criteria, shared denominators, both frames,
reading grade and a stale-evidence alarm."""

from __future__ import annotations

from dataclasses import dataclass

from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.readability import MAX_GRADE
from sijpath.decisionaid.render import aid_markdown, aid_readability, row_sentences

__all__ = ["CheckResult", "check_aid"]


@dataclass(frozen=True)
class CheckResult:
    """One criterion: its name, whether it passed, and why."""

    criterion: str
    passed: bool
    detail: str = ""


def check_aid(aid: Aid) -> list[CheckResult]:
    """Every criterion the aid must meet; a clarify-only aid is checked for its statement and disclosure."""
    md = aid_markdown(aid)
    results = [
        CheckResult("statement: supports a conversation, not a recommendation", aid.statement in md),
        CheckResult("certification 3: production date", aid.made_on.isoformat() in md),
        CheckResult("certification 4: update policy", f"every {aid.review_every_months} months" in md),
        CheckResult("certification 6: funding disclosed", "Funding:" in md),
        CheckResult("evidence is not stale", not aid.evidence_stale, f"last reviewed {aid.evidence_reviewed}"),
    ]
    reading = aid_readability(aid)
    results.append(CheckResult(f"reading grade ≤ {MAX_GRADE:g}", reading.passes, reading.describe()))
    if aid.clarify:
        return results
    rows = [row for option in aid.options for row in (*option.benefits, *option.harms)]
    known = [row for row in rows if row.known]
    results += [
        CheckResult("qualifying 1: describes the condition", "## The problem" in md),
        CheckResult("qualifying 2: states the decision", "## The decision" in md),
        CheckResult("qualifying 3: options incl. wait and see", any(o.key == "wait-and-see" for o in aid.options)),
        CheckResult("qualifying 4: benefits of each option", all(o.benefits for o in aid.options)),
        CheckResult("qualifying 5: harms of each option", all(o.harms for o in aid.options)),
        CheckResult("qualifying 6: what it is like", all(o.living_with for o in aid.options)),
        CheckResult(
            "certification 1: benefits and harms in equal detail",
            all(len(o.benefits) > 0 and len(o.harms) > 0 for o in aid.options),
        ),
        CheckResult("certification 2: citations", all(row.cites for row in known) and bool(aid.sources)),
        CheckResult(
            "certification 5: uncertainty", all("range of likely values" in row_sentences(r).lower() for r in known)
        ),
        CheckResult(
            "shared denominator and time in comparisons",
            all(len({r.months for r in c.rows}) == 1 for c in aid.comparisons),
        ),
        CheckResult("both frames", all("did not" in row_sentences(r) for r in known)),
        CheckResult(
            "every probability has source, size or percent, and time", all(r.cites and r.months for r in known)
        ),
    ]
    return results
