"""The reasons the SI-joint decision gives for each step, written from the patient's own facts and outcomes."""

from __future__ import annotations

import datetime as dt

from sijpath.domain.fact_lists import fact_list
from sijpath.domain.procedures import RadiofrequencyAblation
from sijpath.engine.rule import Criterion, Outcomes
from sijpath.pathway import thresholds as th
from sijpath.pathway import vocabulary as v
from sijpath.pathway.conditions import latest_ablation
from sijpath.pathway.diagnosis import BLOCK_CONFIRMS, REPEAT_BLOCK_FAILS
from sijpath.pathway.facts import JointFacts
from sijpath.pathway.injection_guidance import guided_injections
from sijpath.pathway.nonsurgical import INJECTION_FIRST_LINE, INJECTION_RELIEF_LASTING
from sijpath.pathway.post_fusion import BONY_BRIDGING, ODI_IMPROVED, PAIN_IMPROVED

__all__ = [
    "ablation_date",
    "ablation_text",
    "born_after_as_of",
    "failed_injections",
    "first_block",
    "follow_ups_without_fusion",
    "fused",
    "fusion_reasons",
    "image_guided_injection",
    "record_care_first",
    "record_sides",
    "repeat_block_failed",
    "second_block",
    "unreadable_block",
]


def _summary(o: Outcomes, criterion: Criterion[JointFacts]) -> str:
    outcome = o.get(criterion)
    return outcome.summary if outcome is not None else "not assessed"


def record_sides(j: JointFacts, o: Outcomes) -> str:
    """What the record does not place on a joint: the side of the pain, and every procedure without a side."""
    parts = []
    if j.record.symptomatic is None:
        parts.append("the record does not say which side hurts (pain.laterality)")
    if j.unattributed:
        listed = "; ".join(
            f"{fact_list(name).singular} {fact.__dict__.get('date', '')} ({j.where(fact, name)})"
            for name, fact in j.unattributed
        )
        parts.append(
            f"the side of these procedures is not recorded, so they cannot be placed on either joint: {listed}"
        )
    return (
        "; ".join(parts)[:1].upper()
        + "; ".join(parts)[1:]
        + ". Record the side before any SI-joint procedure is suggested; the criteria show what this joint's own "
        "record holds."
    )


def record_care_first(j: JointFacts, o: Outcomes) -> str:
    """An injection would come first, but nothing tried is recorded: say plainly what to record, then what follows."""
    weeks = j.t[th.MIN_CONSERVATIVE_CARE_WEEKS]
    return (
        "Record first: any physical therapy or pain medication already tried for this pain, with its start date and "
        "its end date (or the last day it was confirmed as ongoing); none is recorded. An injection would otherwise "
        f"be the first step to consider ({_summary(o, INJECTION_FIRST_LINE)}), but a steroid injection is considered "
        f"only after {weeks} weeks of conservative care under this rule set: if none has been tried, consider "
        "starting it now."
    )


def image_guided_injection(j: JointFacts, o: Outcomes) -> str:
    """A confirmed joint whose every injection was given without accepted guidance: the image-guided one is next."""
    guided = guided_injections(j)
    return (
        f"SI joint confirmed ({_summary(o, BLOCK_CONFIRMS)}), but no therapeutic injection of this joint was "
        f"image-guided ({guided.accepted}): {guided.listed()}. A failed injection without that guidance is not the "
        "failed image-guided injection radiofrequency ablation or fusion follows: consider an image-guided "
        f"({guided.accepted}) therapeutic injection of the {j.joint} joint."
    )


def born_after_as_of(j: JointFacts, o: Outcomes) -> str:
    return (
        f"the birth date ({j.episode.patient.birth_date}) is after the as-of date ({j.as_of}): correct it before "
        "anything is concluded"
    )


def follow_ups_without_fusion(j: JointFacts, o: Outcomes) -> str:
    return (
        "post-operative follow-ups are recorded but no fusion is: record the fusion (date, side, CPT) before "
        "anything else is concluded."
    )


def repeat_block_failed(j: JointFacts, o: Outcomes) -> str:
    return (
        f"{_summary(o, REPEAT_BLOCK_FAILS)}. Consider lumbar radiculopathy or a compressed nerve root, and hip disease."
    )


def fused(j: JointFacts, o: Outcomes) -> str:
    assert j.fusion is not None
    fusion, _ = j.fusion
    approach = f", {fusion.approach} approach" if fusion.approach else ""
    since = (j.as_of - fusion.date).days
    return f"SI-joint fusion on {fusion.date} ({fusion.side}, CPT {fusion.cpt}{approach}), {since // 7} weeks ago."


def failing_fusion(j: JointFacts, o: Outcomes) -> str:
    failing = [
        outcome.summary
        for c in (BONY_BRIDGING, PAIN_IMPROVED, ODI_IMPROVED)
        if (outcome := o.get(c)) is not None and outcome.status == "not-met"
    ]
    return f"{fused(j, o)} Past the time bony fusion is expected: {'; '.join(failing)}."


def failed_injections(o: Outcomes) -> str:
    return f"injections did not give lasting relief ({_summary(o, INJECTION_RELIEF_LASTING)})"


def fusion_reasons(j: JointFacts, o: Outcomes) -> str:
    gates = [
        outcome.summary
        for criterion, outcome in o.items()
        if any(g.step is v.FUSION_EVALUATION for g in criterion.required_for) and outcome.status == "met"
    ]
    support = [
        outcome.summary
        for criterion, outcome in o.items()
        if criterion.role == "supporting" and criterion.stage == "surgical-candidacy" and outcome.status == "met"
    ]
    ablation = ", radiofrequency ablation tried" if j.ablations else ""
    extra = f" Supporting: {'; '.join(support)}." if support else ""
    return f"SI joint confirmed, {failed_injections(o)}{ablation}; {'; '.join(gates)}.{extra}"


def first_block(j: JointFacts, o: Outcomes) -> str:
    bilateral = [b for b in j.blocks if b.block.side == "bilateral"]
    if bilateral and not j.valid_blocks:
        return (
            f"the bilateral block of {bilateral[-1].block.date} does not show which joint relieved the pain: a block "
            "of this joint alone confirms it."
        )
    reason = "no diagnostic block of this joint that meets the technique requirements"
    lasting = o.get(INJECTION_RELIEF_LASTING)
    if lasting is not None and lasting.status == "not-met":
        reason = f"therapeutic injections have not given lasting relief and {reason}: reconfirm the pain source"
    return reason + "."


def second_block(j: JointFacts, o: Outcomes) -> str:
    latest_block = j.valid_blocks[-1]
    assert latest_block.relief_percent is not None
    if any(j.block_result(b) == "negative" for b in j.valid_blocks[:-1]):
        return f"{_summary(o, BLOCK_CONFIRMS)} (if it gives little to no relief, look for other pain sources)."
    if j.block_positive(latest_block):
        return f"{_summary(o, BLOCK_CONFIRMS)}; a second positive block is required."
    if len(j.valid_blocks) > 1:
        return (
            f"the latest of {len(j.valid_blocks)} blocks ({latest_block.block.date}) "
            f"{j.block_shortfall(latest_block)}: a further block decides; after blocks that do not confirm, "
            "consider other pain generators (lumbar spine, hip) alongside."
        )
    return (
        f"the block of {latest_block.block.date} {j.block_shortfall(latest_block)}: a second block decides (if it "
        "gives little to no relief, look for other pain sources)."
    )


def unreadable_block(j: JointFacts, o: Outcomes) -> str:
    confirms = o[BLOCK_CONFIRMS]
    missing = "; ".join(confirms.missing[1:]) or confirms.missing[0]
    return f"the recorded block cannot be read as diagnostic yet: {missing}."


def ablation_text(j: JointFacts) -> tuple[RadiofrequencyAblation, float]:
    ablation = latest_ablation(j)
    assert ablation is not None
    assert ablation.relief_duration_days is not None
    return ablation, ablation.relief_duration_days / 7


def ablation_date(j: JointFacts) -> dt.date | None:
    ablation = latest_ablation(j)
    return ablation.date if ablation else None


def ablation_still_helps(j: JointFacts, o: Outcomes) -> str:
    ablation, weeks = ablation_text(j)
    return (
        f"radiofrequency ablation on {ablation.date} still gives {ablation.relief_percent:g}% relief ({weeks:.0f} "
        "weeks so far); its benefit lasts while the nerves regenerate."
    )


def ablation_wore_off(j: JointFacts, o: Outcomes) -> str:
    ablation, weeks = ablation_text(j)
    return (
        f"radiofrequency ablation on {ablation.date} gave {ablation.relief_percent:g}% relief for {weeks:.0f} weeks "
        "before the nerves regenerated: repeat it before considering fusion."
    )


def ablation_technique(j: JointFacts, o: Outcomes) -> str:
    return (
        f"radiofrequency ablation on {ablation_date(j)}: record its technique (conventional, cooled or pulsed; "
        "pulsed radiofrequency is not an ablation) before it counts as tried."
    )


def injection_relief_unknown(j: JointFacts, o: Outcomes) -> str:
    return (
        f"{_summary(o, INJECTION_RELIEF_LASTING)}: record how much and how long it helped before choosing the next "
        "step."
    )
