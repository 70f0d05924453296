"""The decision aid as Markdown and as HTML with accessible SVG icon arrays (numbers, picture and words together)."""

from __future__ import annotations

import re
from html import escape

from sijpath.decisionaid.aid import SHORT_NAMES, Aid, Comparison
from sijpath.decisionaid.clinician import clinician_lines
from sijpath.decisionaid.evidence import OutcomeRow
from sijpath.decisionaid.local import local_lines
from sijpath.decisionaid.readability import Readability, measure

__all__ = [
    "aid_html",
    "aid_html_body",
    "aid_markdown",
    "aid_readability",
    "icon_array_svg",
    "patient_text",
    "row_sentences",
    "waiting_evidence",
]

SOURCES_HEADING = "## Sources"
# The trials compared a procedure with non-surgical care, not with a sham: people knew which care they got.
SAME_TRIAL = (
    "These numbers come from the same trial, where chance decided who got which care. "
    "The other group got no fake (sham) procedure, so people knew which care they got. "
    "This can make a procedure look better than it is."
)
SWITCHED = (
    "After 6 months, people in the non-surgical group could switch to surgery, so later results are not compared."
)
DIFFERENT_STUDIES = "These numbers come from different studies of different people, so compare them with care."
# Medical words the aid uses, each explained before the options that use them (plain-language requirement).
WORDS = (
    "Numbing test (diagnostic block): a shot of numbing medicine into the joint, to see if the pain goes away "
    "for a few hours.",
    "Steroid injection: a shot of steroid medicine into the joint to calm swelling and pain.",
    "RFA (radiofrequency ablation): heat from a needle stops the small nerves to the joint from sending pain signals.",
    "Fusion: surgery that puts implants across the joint so the bones grow together and the joint stops moving.",
    "ODI: a score from a list of questions about how much pain gets in the way of daily life.",
    "Randomised trial: a study where chance decides who gets which care, so the groups are alike at the start.",
    "Registry: a record of the people who had a treatment in a country. It shows results in everyday care.",
)
UNCERTAINTY_HEADING = "## How sure are these numbers?"
UNCERTAINTY_WORDS = (
    "The numbers come from groups of people in studies, not from people just like you. "
    "No one can say what will happen to you. Small studies give less sure numbers: the range of likely values "
    "shows how far off a number could be. When a number is not known, this aid says so and does not guess."
)
# Who paid for the studies shown, said without implying that a study whose funder is not recorded was independent.
MAKER_PAID = "Some studies were paid for by device makers, as marked."
FUNDER_NOT_RECORDED = "For the others, who paid for the study is not recorded here."
EVIDENCE_HEADING = "## How the evidence was chosen"
# True of outcomes.toml: trials first, registry and long-term revision data for harms and later results, gaps kept.
EVIDENCE_WORDS = (
    "The numbers come from the studies in sijpath's list of sources, shown at the end. "
    "Randomised trials come first, because chance decides who gets which care. "
    "A national registry and a long-term study are added for harms and for later results that the trials did not "
    "follow. This is not a full review of every study there is. Numbers read only from a summary of a study are "
    "marked."
)
WAITING_LIMITED = (
    "No study in sijpath's sources gives numbers for non-surgical care. The evidence on non-surgical care is "
    "limited, so no one can say how many people get better with it."
)


def _source_marks(row: OutcomeRow) -> str:
    return ", ".join(row.cites) if row.cites else "no source"


def row_sentences(row: OutcomeRow) -> str:
    """One outcome in words, in both frames, with its time, study, population, funding and uncertainty."""
    n = row.per_100()
    if n is None:
        return f"{row.outcome}: not known. {row.why_not_known}"
    when = row.time_frame.capitalize()
    frame = f"{row.outcome}. {when}: about {n} out of 100 people had this, and {100 - n} out of 100 did not."
    ci = _uncertainty(row)
    size = f" Study group: {row.denominator} people." if row.denominator else ""
    note = f" {row.note}" if row.note else ""
    return (
        f"{frame} Study: {row.design}; people: {row.population}; paid for by: {row.funding}.{size} {ci}{note} "
        f"Sources: {_source_marks(row)}."
    )


def _uncertainty(row: OutcomeRow) -> str:
    if row.ci:
        return f"Range of likely values given by the study: {row.ci}."
    likely = row.likely_range()
    if likely is None:
        return "The size of the study group was not read, so how sure these numbers are is not known."
    return (
        f"The study gave no range of likely values; from the size of the study group, the true number is likely "
        f"between {likely[0]} and {likely[1]} out of 100 (worked out by sijpath)."
    )


def icon_array_svg(count: int, label: str) -> str:
    """A 10 × 10 icon array with a text alternative, so a screen reader gets the same number."""
    cells = []
    for i in range(100):
        x, y = (i % 10) * 12 + 6, (i // 10) * 12 + 6
        fill = "#1f5f8b" if i < count else "#d9d9d9"
        cells.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{fill}"/>')
    text = escape(f"{count} out of 100 people: {label}")
    return (
        f'<svg role="img" aria-label="{text}" width="120" height="120" viewBox="0 0 120 120" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{text}</title>{"".join(cells)}</svg>'
    )


def waiting_evidence(rows: tuple[OutcomeRow, ...]) -> str:
    """What the numbers for non-surgical care rest on: the trials' non-surgical groups, and how long they were
    followed (the sources do not list that care, so the aid does not say it was only therapy and medicines)."""
    months = sorted({row.months for row in rows if row.known and row.months is not None})
    if not months:
        return WAITING_LIMITED
    span = f"{months[0]} months" if len(months) == 1 else f"{months[0]} to {months[-1]} months"
    return (
        "The numbers for non-surgical care come from the groups in trials who got the trial's non-surgical care "
        "instead of the procedure. They had already tried non-surgical care before the trial. sijpath's sources "
        "do not list what that care included, so it may have been more than physical therapy and medicines. "
        f"The numbers here cover {span}. What happens after that is not well known: the evidence on non-surgical "
        "care is limited."
    )


def _comparison_md(comp: Comparison) -> list[str]:
    lines = [f"### {comp.outcome}, after {comp.months} months (out of 100 people)", ""]
    for row in comp.rows:
        n = row.per_100()
        who = SHORT_NAMES[row.option]
        lines.append(
            f"- {who}: about {n} out of 100 had this, {100 - (n or 0)} out of 100 did not. Study: {row.design}."
        )
    same_trial = len({row.cites for row in comp.rows}) == 1 and all(
        row.design and row.design.startswith("randomised") for row in comp.rows
    )
    # A comparison group's note records its switch to surgery after 6 months (INSITE, outcomes.toml).
    switched = SWITCHED if any("switched to surgery" in (row.note or "") for row in comp.rows) else ""
    lines += ["", f"{SAME_TRIAL} {switched}".strip() if same_trial else DIFFERENT_STUDIES, ""]
    return lines


def _body(aid: Aid) -> list[str]:
    """The aid's Markdown lines up to the disclosure's reading-level line (which reports on these lines)."""
    out = [f"# Choosing care for SI-joint pain: {aid.joint}", "", f"**{aid.statement}**", ""]
    out += [
        "## The problem",
        "",
        "The SI joint links the spine to the pelvis. When it is the source of pain, "
        "the pain is often low in the back or buttock.",
        "",
    ]
    if aid.record_notes:
        out += ["## About your records", "", *aid.record_notes, ""]
    if aid.clarify:
        out += ["## What needs to happen first", "", *aid.clarify, ""]
    else:
        out += [
            "## The decision",
            "",
            "Which care, if any, to try next for this joint. Keeping to non-surgical care is always a choice.",
            "",
        ]
        out += ["## Words used here", "", *(f"- {words}" for words in WORDS), ""]
        out += ["## The options", ""]
        for option in aid.options:
            out += [f"### {option.name}", "", option.living_with, ""]
            if option.before:
                out += [
                    f"**Before this can be considered:** your record does not yet show: {'; '.join(option.before)}.",
                    "",
                ]
            if option.key == "wait-and-see":
                out += [f"**What the numbers for non-surgical care rest on:** {waiting_evidence(option.benefits)}", ""]
            out += ["**Possible benefits**", ""]
            out += [f"- {row_sentences(row)}" for row in option.benefits] or ["- Not known."]
            out += ["", "**Possible harms**", ""]
            out += [f"- {row_sentences(row)}" for row in option.harms] or ["- Not known."]
            out += ["", f"**Coverage:** {option.coverage}", ""]
            out += local_lines(aid.local, option.key)
        if aid.not_offered:
            out += ["## Options not shown", ""] + [f"- {name}: {why}" for name, why in aid.not_offered] + [""]
        if aid.comparisons:
            out += ["## Side by side (same time, out of 100 people)", ""]
            for comp in aid.comparisons:
                out += _comparison_md(comp)
        out += [UNCERTAINTY_HEADING, "", " ".join((UNCERTAINTY_WORDS, *_funders(aid))), ""]
        out += [EVIDENCE_HEADING, "", EVIDENCE_WORDS, ""]
        out += [
            "## Coverage",
            "",
            "Whether a plan pays is set by its own rules. Ask your care team and your plan what you would pay.",
            "",
        ]
        out += ["## What matters to you", ""] + [f"- {q}" for q in aid.values] + [""]
        out += ["## Questions to ask", ""] + [f"- {q}" for q in aid.questions] + [""]
        out += ["## Are you ready to decide? (SURE test)", ""] + [f"- {q} (yes / no)" for q in aid.sure] + [""]
    return out + _disclosure(aid)


_SOURCE_MARKS = re.compile(r" Sources: [^ ]+(?:, [^ ]+)*\.$")


def patient_text(aid: Aid) -> str:
    """The prose a patient reads, as sentences: headings and the source ids after each outcome are left out
    (ids and the reference list are not prose), every bullet or bold label is a sentence of its own."""
    kept: list[str] = []
    for line in _body(aid):
        if not line or line.startswith("#"):
            continue
        line = _SOURCE_MARKS.sub("", line.removeprefix("- ").replace("**", ""))
        kept.append(line if line.endswith((".", "?", "!", ":", ")")) else line + ".")
    return "\n".join(kept)


def aid_readability(aid: Aid) -> Readability:
    """The measured reading level of the aid's patient-facing text."""
    return measure(patient_text(aid))


def aid_markdown(aid: Aid) -> str:
    """The aid as Markdown, its measured reading level in the disclosure."""
    reading = aid_readability(aid)
    lines = [
        *_body(aid),
        "",
        *clinician_lines(
            aid.ruleset, tuple((SHORT_NAMES[o.key], o.code_note) for o in aid.options), reading.describe()
        ),
        SOURCES_HEADING,
        "",
    ]
    lines += [f"- {source.id}: {source.label()}" for source in aid.sources] or ["- None."]
    return "\n".join([*lines, ""]) + "\n"


EARLY = " The as-of date is before this review: the evidence shown is from the later review."


def _disclosure(aid: Aid) -> list[str]:
    stale = " THE EVIDENCE REVIEW IS OVERDUE." if aid.evidence_stale else ""
    return [
        "## About this aid",
        "",
        (f"- Generated on {aid.generated_on.isoformat()}" if aid.generated_on else "- Made")
        + f" by sijpath {aid.version or '(version not given)'} for patient {aid.patient_id}.",
        f"- Record read as of {aid.made_on.isoformat()}: facts dated later are not used.",
        f"- Evidence last reviewed {aid.evidence_reviewed.isoformat()}; reviewed every {aid.review_every_months} "
        f"months.{stale}" + (EARLY if aid.made_on < aid.evidence_reviewed else ""),
        "- Who made it: the sijpath project, as free and open software.",
        "- Funding: the sijpath project takes no sponsorship and no money from device makers."
        + "".join(f" {words}" for words in _funders(aid)),
    ]


def _funders(aid: Aid) -> tuple[str, ...]:
    """What the aid says about who paid for the studies it shows: the makers as marked, and the gaps as gaps."""
    funding = {row.funding or "" for option in aid.options for row in (*option.benefits, *option.harms) if row.known}
    maker = any("device maker" in paid for paid in funding)
    unknown = any(paid == "not known" for paid in funding)
    if maker:
        return (MAKER_PAID, FUNDER_NOT_RECORDED) if unknown else (MAKER_PAID,)
    return ("Who paid for the studies shown is not recorded here.",) if unknown else ()


_BLOCKS = (("### ", "h3"), ("## ", "h2"), ("# ", "h1"), ("- ", "p"))


def _html_line(line: str) -> str:
    """One Markdown line of the aid as an HTML block (the aid uses only headings, bullets and paragraphs)."""
    tag, text = next(((tag, line[len(mark) :]) for mark, tag in _BLOCKS if line.startswith(mark)), ("p", line))
    return f"<{tag}>{escape(text.replace('**', ''))}</{tag}>"


def _picture(row: OutcomeRow) -> str:
    n = row.per_100() or 0
    who = SHORT_NAMES[row.option]
    svg = icon_array_svg(n, f"{row.outcome} ({who}, {row.time_frame})")
    caption = escape(f"{who}, {row.kind}: {n} out of 100 people, {row.time_frame}")
    return f'<figure class="icons">{svg}<figcaption>{caption}</figcaption></figure>'


def aid_html_body(aid: Aid) -> str:
    """The aid's content as HTML blocks, for a page of its own or inside the web app's page: every outcome told with a
    number (benefit or harm) is followed by its icon array, and every picture has the same number in words."""
    pictured = {
        f"- {row_sentences(row)}": row
        for option in aid.options
        for row in (*option.benefits, *option.harms)
        if row.known
    }
    # Side by side, the pictures of one outcome at one time stand together under its heading.
    compared = {_comparison_md(comp)[0]: comp.rows for comp in aid.comparisons}
    body = []
    for line in aid_markdown(aid).splitlines():
        if line:
            body.append(_html_line(line))
            if line in pictured:
                body.append(_picture(pictured[line]))
            body += [_picture(row) for row in compared.get(line, ())]
    return "".join(body)


def aid_html(aid: Aid) -> str:
    """The aid as a printable, accessible HTML page."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Decision aid</title></head><body><main>'
        + aid_html_body(aid)
        + "</main></body></html>\n"
    )
