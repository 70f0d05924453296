"""IPDAS self-check of a built aid: 6 qualifying and 6 certification criteria, shared denominators, both frames,
reading grade and a stale-evidence alarm."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sijpath.decisionaid.aid import Aid
from sijpath.decisionaid.render import aid_markdown, row_sentences

__all__ = ["CheckResult", "check_aid", "reading_grade"]

MAX_GRADE = 8.0


@dataclass(frozen=True)
class CheckResult:
    """One criterion: its name, whether it passed, and why."""

    criterion: str
    passed: bool
    detail: str = ""


def _syllables(word: str) -> int:
    # A vowel-group count: the common Flesch-Kincaid approximation (textstat is not in the locked dependencies).
    groups = re.findall(r"[aeiouy]+", word.lower())
    count = len(groups) - (1 if word.lower().endswith("e") and len(groups) > 1 else 0)
    return max(count, 1)


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level of the patient-facing prose (sources and headings left out)."""
    sentences = [s for s in re.split(r"[.!?:]+\s", text) if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    if not sentences or not words:
        return 0.0
    syllables = sum(_syllables(w) for w in words)
    return round(0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59, 1)


def _prose(aid: Aid) -> str:
    """The plain-language parts a patient reads; evidence rows and citations are reference detail."""
    md = aid_markdown(aid)
    kept = [
        line.lstrip("- ")
        for line in md.split("## Sources")[0].splitlines()
        if line and not line.startswith("#") and "Study:" not in line and "Sources:" not in line
    ]
    return "\n".join(kept)


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
    grade = reading_grade(_prose(aid))
    results.append(CheckResult(f"reading grade ≤ {MAX_GRADE:g}", grade <= MAX_GRADE, f"grade {grade}"))
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
