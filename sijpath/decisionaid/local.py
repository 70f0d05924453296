"""This clinic's own results in the aid's words: beside an option's study numbers, never instead of them."""

from __future__ import annotations

from sijpath.outcomes.local_results import LocalFigure, LocalResults

__all__ = ["LOCAL_HEADING", "local_lines"]

LOCAL_HEADING = "**Results at this clinic (its own records, not a study)**"
LOCAL_WORDS = (
    "These numbers come from this clinic's own records of people it treated. They are not from a study. "
    "They are shown beside the study numbers above, not instead of them. People who did not come back are not "
    "counted, which can make the numbers look better or worse."
)
SYNTHETIC_WORDS = "These clinic numbers are made up for a demonstration (synthetic). They are not real people."


def _figure(figure: LocalFigure, minimum: int) -> str:
    e = figure.estimate
    if not figure.shown or e.value is None:
        return (
            f"{figure.topic} at this clinic: not shown yet. Only {e.n} people have been counted, and a number is "
            f"shown from {minimum} people on."
        )
    n = round(e.value * 100)
    sentence = figure.plain.format(n=n)
    if e.low is None or e.high is None:
        return f"{sentence} Counted: {e.n} people."
    return (
        f"{sentence} Counted: {e.n} people. The true number is likely between {round(e.low * 100)} and "
        f"{round(e.high * 100)} out of 100."
    )


def local_lines(local: LocalResults | None, option: str) -> list[str]:
    """The Markdown lines of the clinic's results for one option (none when the aid was made without them)."""
    figures = local.for_option(option) if local else ()
    if local is None or all(f.estimate.n == 0 for f in figures):
        return []  # a registry that has followed no one up for this option: nothing to say beside the studies
    words = [SYNTHETIC_WORDS, LOCAL_WORDS] if local.synthetic else [LOCAL_WORDS]
    return [LOCAL_HEADING, "", *words, "", *(f"- {_figure(f, local.minimum_n)}" for f in figures), ""]
