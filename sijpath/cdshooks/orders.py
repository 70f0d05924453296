"""The procedure-order card: for a draft SI-joint procedure order, the rule set's criteria, gaps and coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijpath.cdshooks import markdown as md
from sijpath.cdshooks.cards import CardContext, indicator
from sijpath.cdshooks.models import Context
from sijpath.cdshooks.vocabulary import PROCEDURE_SYSTEMS
from sijpath.engine.assessment import Assessment
from sijpath.engine.results import Severity
from sijpath.engine.ruleset import CoverageStatement
from sijpath.fhir.bundle import reference_key
from sijpath.fhir.vocabulary import CPT
from sijpath.rules.requirements import PROCEDURES, Gap, gaps, requirements

__all__ = ["Order", "order_card", "procedure_orders"]

BILLING_OPTIONS = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-billing-options"
CLOSED = {"completed", "revoked", "entered-in-error"}
INVASIVENESS = {"injection": 0, "ablation": 1, "fusion": 2}


@dataclass(frozen=True, slots=True)
class Order:
    """A draft ServiceRequest for one of the SI-joint procedures, by its CPT/HCPCS code."""

    resource: Mapping[str, Any]
    reference: str | None
    code: str


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
            orders.append(Order(resource, reference, code))
    return orders


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


def order_card(ctx: CardContext, assessment: Assessment, order: Order) -> dict[str, Any]:
    """Whether the rule set's criteria for the ordered procedure are met, what is not, and its coverage."""
    ruleset = ctx.ruleset
    name = PROCEDURES[order.code][0]
    # Each criterion once: a rule set may list one criterion under two requirements (e.g. comparative blocks).
    needed = list({r.criterion_id: r for r in requirements(order.code, ruleset)}.values())
    found = list({g.criterion.id: g for g in gaps(assessment, ruleset, order.code)}.values())
    unmet = [g for g in found if g.criterion.status != "unknown"]
    unknown = [g for g in found if g.criterion.status == "unknown"]
    coverage = ruleset.coverage.get(order.code)
    uncovered = coverage is not None and coverage.status in ("not-covered", "investigational")
    problems = sum(1 for d in assessment.data_issues if d.severity == "warning")
    where = f"`{order.reference}`" if order.reference else "no id"
    detail = [
        f"**Order:** CPT {order.code}, {md.text(name)} ({where}).",
        "",
        f"**Rule set:** {md.text(ruleset.title)} {md.text(ruleset.version)} (`{ruleset.id}`), as of "
        f"{assessment.as_of.isoformat()}. **Coverage:** {_coverage(coverage, bool(ruleset.coverage))}",
        "",
    ]
    if not needed:
        summary = f"CPT {order.code}: {ruleset.id} sets no criteria for this procedure ({name})"
        detail += ["**Criteria:** this rule set sets none for this procedure; nothing is checked.", ""]
    elif not found and problems:
        # Something in the record could not be read: "all met" would claim more than the record supports.
        summary = f"CPT {order.code}: criteria of {ruleset.id} met as read, but {problems} record problem(s)"
        detail += [
            f"**Criteria:** all {len(needed)} are met in what could be read; the record problems below may "
            "hide facts that change this.",
            "",
        ]
    elif not found:
        summary = f"CPT {order.code}: all {len(needed)} criteria of {ruleset.id} met in the record sent ({name})"
        detail += [f"**Criteria:** all {len(needed)} that this rule set sets for this procedure are met.", ""]
    else:
        summary = f"CPT {order.code}: {len(unmet)} criteria not met, {len(unknown)} undocumented under {ruleset.id}"
        detail += [f"**Criteria:** {len(needed) - len(found)} of {len(needed)} met.", ""]
        detail += _gap_section("Not met", unmet, "Would settle it") + _gap_section("Unknown", unknown, "Missing")
    if uncovered and coverage is not None:
        summary = f"CPT {order.code}: {coverage.status} under {ruleset.id}; " + summary.split(": ", 1)[1]
    step = assessment.next_step
    detail += [f"**Pathway next step: {md.text(step.title)}.** {md.text(step.rationale)}", ""]
    detail += [*md.flags_section(assessment.flags), ""]
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
    severities: list[Severity] = ["warning"] if found or uncovered or problems else []
    severity = indicator(*severities, *(f.severity for f in assessment.flags))
    suggestion = _better_step(ctx, assessment, order) if found else None
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


def _better_step(ctx: CardContext, assessment: Assessment, order: Order) -> dict[str, Any] | None:
    """A less invasive procedure the pathway puts next (a diagnostic block before a fusion, say), as an order."""
    step = assessment.next_step
    better = step.procedure
    if better is None or better not in PROCEDURES or step.code == "fusion-evaluation":
        return None
    if INVASIVENESS[PROCEDURES[better][1]] >= INVASIVENESS[PROCEDURES[order.code][1]]:
        return None
    original = order.resource
    replacement: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": original.get("intent") if isinstance(original.get("intent"), str) else "order",
        "code": {"coding": [{"system": CPT, "code": better, "display": step.title}]},
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
    actions.append({"type": "create", "description": f"Order {step.title} (CPT {better})", "resource": replacement})
    # "Instead" only when the original order can be removed (it has an id); otherwise the new order is added.
    wording = "instead" if order.reference else "as well (remove the original order yourself)"
    return {
        "label": md.clip(f"Order {step.title} (CPT {better}) {wording}", 120),
        "uuid": ctx.uuid(f"order\x1f{order.reference or ''}\x1f{order.code}", "suggestion", better),
        "actions": actions,
    }
