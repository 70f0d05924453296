"""The procedure-order card: for a draft SI-joint procedure order, the rule set's criteria, gaps and coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijpath.cdshooks import markdown as md
from sijpath.cdshooks.cards import CardContext, indicator
from sijpath.cdshooks.models import Context
from sijpath.cdshooks.vocabulary import PROCEDURE_SYSTEMS
from sijpath.domain.base import Side, joints_of
from sijpath.engine.assessment import LATERALITY_MODIFIERS, Assessment, UnitAssessment
from sijpath.engine.requirements import Gap
from sijpath.engine.results import Severity
from sijpath.engine.ruleset import CoverageStatement
from sijpath.fhir.bundle import reference_key
from sijpath.fhir.vocabulary import CPT, OWN
from sijpath.pathway.requests import request_gaps, request_requirements
from sijpath.pathway.vocabulary import PROCEDURES

__all__ = ["Order", "order_card", "procedure_orders"]

BILLING_OPTIONS = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-billing-options"
CLOSED = {"completed", "revoked", "entered-in-error"}
INVASIVENESS = {"injection": 0, "ablation": 1, "fusion": 2}


@dataclass(frozen=True, slots=True)
class Order:
    """A draft ServiceRequest for one of the SI-joint procedures, by its CPT/HCPCS code and the side it names."""

    resource: Mapping[str, Any]
    reference: str | None
    code: str
    side: Side | None = None


def procedure_orders(context: Context, hook: str) -> list[Order]:
    """The draft SI-joint procedure orders of the context; on order-select only those just selected."""
    if context.draftOrders is None:
        return []
    selected = None
    if hook == "order-select" and context.selections:
        selected = {reference_key(s) or s for s in context.selections}
    orders = []
    for entry in context.draftOrders.entry:
        resource = entry.resource
        if resource is None or resource.get("resourceType") != "ServiceRequest" or resource.get("status") in CLOSED:
            continue
        rid = resource.get("id")
        reference = f"ServiceRequest/{rid}" if isinstance(rid, str) and rid else None
        if selected is not None and reference not in selected:
            continue
        code = _procedure_code(resource)
        if code is not None:
            orders.append(Order(resource, reference, code, _order_side(resource)))
    return orders


_SIDES: dict[str, Side] = {"left-sij": "left", "right-sij": "right", "bilateral-sij": "bilateral"}


def _order_side(resource: Mapping[str, Any]) -> Side | None:
    """The side a draft order names in `bodySite`: our body-site codes, else one side word in its text."""
    for site in _listed(resource.get("bodySite")):
        if not isinstance(site, dict):
            continue
        for coding in _listed(site.get("coding")):
            if isinstance(coding, dict) and coding.get("system") == OWN and coding.get("code") in _SIDES:
                return _SIDES[str(coding["code"])]
        words = " ".join(
            [
                str(site.get("text") or ""),
                *(str(c.get("display") or "") for c in _listed(site.get("coding")) if isinstance(c, dict)),
            ]
        ).lower()
        found = [side for side in ("bilateral", "left", "right") if side in words]
        if "bilateral" in found or ("left" in found and "right" in found):
            return "bilateral"
        if len(found) == 1:
            return "left" if found[0] == "left" else "right"
    return None


def _procedure_code(resource: Mapping[str, Any]) -> str | None:
    concept = resource.get("code")
    if not isinstance(concept, dict):
        return None
    codings = _listed(concept.get("coding"))
    for extension in _listed(concept.get("extension")):  # Da Vinci CRD billing options
        if isinstance(extension, dict) and extension.get("url") == BILLING_OPTIONS:
            value = extension.get("valueCodeableConcept")
            codings += _listed(value.get("coding")) if isinstance(value, dict) else []
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") in PROCEDURE_SYSTEMS and coding.get("code") in PROCEDURES:
            return str(coding["code"])
    return None


def _listed(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def order_card(ctx: CardContext, assessment: Assessment, order: Order) -> dict[str, Any]:
    """Whether the rule set's criteria for the ordered procedure are met on the joint(s) it names, what is not,
    and its coverage. An order that names no side is checked on no joint: it says so, and lists each joint's gaps."""
    ruleset = ctx.ruleset
    name = PROCEDURES[order.code].description
    joints = joints_of(order.side)
    units = [u for u in assessment.units if u.key in joints] if joints else list(assessment.units)
    side_unknown = not joints
    not_assessed = [j for j in joints if j not in {u.key for u in assessment.units}]
    needed = list({r.criterion.id: r for r in request_requirements(order.code, ruleset)}.values())
    per_unit = [(u, list({g.criterion.id: g for g in request_gaps(u, ruleset, order.code)}.values())) for u in units]
    found = [g for _, gaps in per_unit for g in gaps]
    unmet = [g for g in found if g.criterion.status != "unknown"]
    unknown = [g for g in found if g.criterion.status == "unknown"]
    coverage = ruleset.coverage.get(order.code)
    uncovered = coverage is not None and coverage.status in ("not-covered", "investigational")
    problems = sum(1 for d in assessment.data_issues if d.severity == "warning")
    where = f"`{order.reference}`" if order.reference else "no id"
    label = f"CPT {order.code}" + (f"-{LATERALITY_MODIFIERS[order.side]}" if order.side in LATERALITY_MODIFIERS else "")
    sides = order.side or "side not stated"
    detail = [
        f"**Order:** {label}, {md.text(name)}, {sides} ({where}).",
        "",
        f"**Rule set:** {md.text(ruleset.title)} {md.text(ruleset.version)} (`{ruleset.id}`), as of "
        f"{assessment.as_of.isoformat()}. **Coverage:** {_coverage(coverage, bool(ruleset.coverage))}",
        "",
    ]
    if side_unknown:
        summary = f"{label}: the order does not say which SI joint; state the side to check its criteria"
        detail += [
            "**Side:** the order names no side (bodySite), so its criteria cannot be checked for a joint; each "
            "assessed joint's gaps follow.",
            "",
        ]
    elif not_assessed:
        summary = f"{label}: no pain recorded on the {' and '.join(not_assessed)} side; criteria not met"
        detail += [
            f"**Side:** the record shows no pain on the {' and '.join(not_assessed)} side, so this order has no "
            "assessed joint to rest on.",
            "",
        ]
    elif not needed:
        summary = f"{label}: {ruleset.id} sets no criteria for this procedure ({name})"
        detail += ["**Criteria:** this rule set sets none for this procedure; nothing is checked.", ""]
    elif not found and problems:
        # Something in the record could not be read: "all met" would claim more than the record supports.
        summary = f"{label}: criteria of {ruleset.id} met as read, but {_plural(problems, 'record problem')}"
        detail += [
            f"**Criteria:** all {len(needed)} are met in what could be read; the record problems below may "
            "hide facts that change this.",
            "",
        ]
    elif not found:
        counted = "the 1 criterion" if len(needed) == 1 else f"all {len(needed)} criteria"
        summary = f"{label}: {counted} of {ruleset.id} met in the record sent"
        detail += [f"**Criteria:** all {len(needed)} that this rule set sets for this procedure are met.", ""]
    else:
        summary = (
            f"{label}: {_plural(len(unmet), 'criterion', 'criteria')} not met, {len(unknown)} undocumented under "
            f"{ruleset.id}"
        )
    for unit, gaps in per_unit:
        if found:
            unit_unmet = [g for g in gaps if g.criterion.status != "unknown"]
            unit_unknown = [g for g in gaps if g.criterion.status == "unknown"]
            detail += [f"**{md.text(unit.title)}: {len(needed) - len(gaps)} of {len(needed)} criteria met.**", ""]
            detail += _gap_section("Not met", unit_unmet, "Would settle it")
            detail += _gap_section("Unknown", unit_unknown, "Missing")
        step = unit.next_step
        detail += [
            f"**{md.text(unit.title)}, pathway next step: {md.text(step.title)}.** {md.text(step.rationale)}",
            "",
        ]
        detail += [*md.flags_section(unit.flags), ""]
    if uncovered and coverage is not None:
        summary = f"{label}: {coverage.status} under {ruleset.id}; " + summary.split(": ", 1)[1]
    if problems:
        detail += [*md.issues_section(assessment), ""]
    # The rule set's own sources and its coverage statement's; each criterion's are in the full assessment.
    cited = [ruleset.catalog[i] for i in ruleset.sources if i in ruleset.catalog]
    if coverage is not None:
        cited += [ruleset.catalog[i] for i in coverage.cites if i in ruleset.catalog]
    unverified = {s.id: s for g in found for s in g.criterion.citations if s.unverified}
    detail += [md.sources_line(cited), ""]
    if unverified:
        detail += [
            f"**Some of these criteria rest on UNVERIFIED sources:** {md.source_labels(unverified.values())}.",
            "",
        ]
    detail.append(md.notice())
    blocked = bool(found) or uncovered or bool(problems) or side_unknown or bool(not_assessed)
    severities: list[Severity] = ["warning"] if blocked else []
    severity = indicator(*severities, *(f.severity for u in units for f in u.flags))
    suggestion = _better_step(ctx, units[0], order) if found and len(units) == 1 and not side_unknown else None
    card = ctx.card(
        f"order\x1f{order.reference or ''}\x1f{order.code}",
        summary,
        severity,
        detail,
        cited,
        "therapy-alternatives-opt" if suggestion else "guideline",
    )
    if suggestion is not None:
        card["suggestions"] = [suggestion]
        card["selectionBehavior"] = "at-most-one"
    if order.reference:
        card["extension"] = {"davinci-crd.associated-resource": [{"reference": order.reference}]}
    return card


def _gap_section(heading: str, found: list[Gap], settle: str) -> list[str]:
    if not found:
        return []
    lines = [
        f"**{md.text(g.criterion.title)}**: {md.text(g.criterion.summary)}. {settle}: {md.text('; '.join(g.settle))}."
        for g in found
    ]
    return [f"**{heading}**", "", *md.bullets(lines), ""]


def _coverage(statement: CoverageStatement | None, speaks_to_coverage: bool) -> str:
    if statement is None:
        return "not stated by this rule set." if speaks_to_coverage else "this rule set does not speak to coverage."
    note = f" ({md.text(statement.note)})" if statement.note else ""
    return f"{statement.status.replace('-', ' ')}{note}."


def _better_step(ctx: CardContext, unit: UnitAssessment, order: Order) -> dict[str, Any] | None:
    """A less invasive procedure the pathway puts next for the ordered joint (a diagnostic block before a fusion,
    say), as an order on the same side."""
    step = unit.next_step
    better = step.procedure
    if better is None or better not in PROCEDURES or step.code == "fusion-evaluation":
        return None
    if INVASIVENESS[PROCEDURES[better].kind] >= INVASIVENESS[PROCEDURES[order.code].kind]:
        return None
    original = order.resource
    replacement: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": original.get("intent") if isinstance(original.get("intent"), str) else "order",
        "code": {"coding": [{"system": CPT, "code": better, "display": PROCEDURES[better].description}]},
        "subject": original.get("subject") or {"reference": f"Patient/{ctx.patient_id}"},
    }
    for element in ("encounter", "requester", "bodySite", "reasonCode", "reasonReference"):
        if element in original:
            replacement[element] = original[element]
    actions: list[dict[str, Any]] = []
    if order.reference:
        actions.append(
            {"type": "delete", "description": f"Remove the order for CPT {order.code}", "resourceId": order.reference}
        )
    what = f"{step.step.name} of the {unit.key} SI joint (CPT {better})"
    actions.append({"type": "create", "description": f"Order {what}", "resource": replacement})
    # "Instead" only when the original order can be removed (it has an id); otherwise the new order is added.
    wording = "instead" if order.reference else "as well (remove the original order yourself)"
    return {
        "label": md.clip(f"Order {what} {wording}", 120),
        "uuid": ctx.uuid(f"order\x1f{order.reference or ''}\x1f{order.code}", "suggestion", better),
        "actions": actions,
    }
