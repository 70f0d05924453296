"""Cards: what every card carries (uuid, source, override reasons, links), the pathway card of patient-view, and
the card for a patient about whom no clinical data was received."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sijpath.cdshooks import markdown as md
from sijpath.cdshooks.vocabulary import OVERRIDE_REASONS, topic
from sijpath.engine.assessment import Assessment
from sijpath.engine.results import Severity
from sijpath.engine.ruleset import RuleSet
from sijpath.evidence.catalog import Source

__all__ = ["STAGES", "CardContext", "card_uuid", "indicator", "no_data_card", "pathway_cards"]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sijpath.org/cds-hooks")
STAGES = {
    "diagnosis": "diagnosis",
    "confirmation": "confirming the SI joint",
    "other-pain-source": "looking for another pain source",
    "non-surgical-care": "non-surgical care",
    "surgical-candidacy": "surgical candidacy",
    "post-fusion": "after fusion",
}
_RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True, slots=True)
class CardContext:
    """What a card is made in: the service, the invocation, the patient, the rule set, and where links point."""

    service_id: str
    hook_instance: str
    patient_id: str
    ruleset: RuleSet
    web_app_url: str | None

    def uuid(self, *key: str) -> str:
        return card_uuid(self.service_id, self.hook_instance, self.patient_id, *key)

    def card(
        self,
        key: str,
        summary: str,
        severity: Severity,
        detail: list[str],
        cited: Iterable[Source],
        card_topic: str = "guideline",
    ) -> dict[str, Any]:
        """A card with everything the spec and our policy require; `detail` lines are already Markdown."""
        ruleset = self.ruleset
        cited = list(cited)
        source: dict[str, Any] = {"label": f"sijpath · {ruleset.title} {ruleset.version}", "topic": topic(card_topic)}
        rule_sources = [ruleset.catalog[i] for i in ruleset.sources if i in ruleset.catalog]
        first_url = next((s.url for s in [*rule_sources, *cited] if _absolute(s.url)), None)
        if first_url:
            source["url"] = first_url
        card: dict[str, Any] = {
            "uuid": self.uuid(key),
            "summary": md.clip(summary),
            "indicator": severity,
            "detail": "\n".join(detail),
            "source": source,
            "overrideReasons": [dict(reason) for reason in OVERRIDE_REASONS],
        }
        links = self.links(cited)
        if links:
            card["links"] = links
        return card

    def links(self, cited: Iterable[Source], limit: int = 3) -> list[dict[str, Any]]:
        """Absolute links to the sources cited (those with a web address), and a link to the patient in the app."""
        links: list[dict[str, Any]] = []
        seen: set[str] = set()
        for source in cited:
            if _absolute(source.url) and source.url not in seen and len(links) < limit:
                seen.add(str(source.url))
                links.append({"label": md.clip(source.title, 100), "url": source.url, "type": "absolute"})
        if self.web_app_url:
            page = f"{self.web_app_url.rstrip('/')}/patients/{quote(self.patient_id, safe='')}"
            # `absolute`, not `smart`: the web app takes no part in a SMART launch, and EHRs grey out a smart link
            # they cannot launch.
            links.append({"label": "Open the patient in sijpath", "url": page, "type": "absolute"})
        return links


def card_uuid(*key: str) -> str:
    """Deterministic: the same service, hook instance, patient and card give the same uuid (a repeated call
    gives the same cards, and feedback on either finds them)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(key)))


def indicator(*severities: Severity) -> Severity:
    """The most serious of the severities given (info when none)."""
    worst: Severity = "info"
    for severity in severities:
        if _RANK[severity] > _RANK[worst]:
            worst = severity
    return worst


def pathway_cards(ctx: CardContext, assessment: Assessment) -> list[dict[str, Any]]:
    """patient-view: per assessed SI joint, where it stands, the next step and why, its flags and missing data."""
    cards = []
    ruleset = ctx.ruleset
    for unit in assessment.units:
        step = unit.next_step
        stage = STAGES.get(unit.stage, unit.stage)
        procedure = f" (CPT {step.procedure}, {unit.key})" if step.procedure else ""
        detail = [
            f"**{md.text(unit.title)}, where it stands:** {md.text(stage)}, under {md.text(ruleset.title)} "
            f"{md.text(ruleset.version)} (`{ruleset.id}`), as of {assessment.as_of.isoformat()}.",
            "",
            f"**Next step: {md.text(step.title + procedure)}.** {md.text(step.rationale)}",
            "",
            *md.flags_section(unit.flags),
            "",
            *md.missing_section(unit),
            "",
        ]
        issues = md.issues_section(assessment)
        if issues:
            detail += [*issues, ""]
        cited = [*unit.next_step_citations, *(s for f in unit.flags for s in f.citations)]
        detail += [md.sources_line(unit.next_step_citations), "", md.notice()]
        severity = indicator(*(f.severity for f in unit.flags))
        summary = f"{unit.title}, {stage}: {step.title}"
        cards.append(ctx.card(f"pathway\x1f{unit.key}", summary, severity, detail, cited))
    return cards


def no_data_card(ctx: CardContext, subject: str, key: str = "no-data", severity: Severity = "info") -> dict[str, Any]:
    """A patient of whom nothing but the Patient resource arrived: the card says so, names no stage or next step
    (an assessment of an empty record would look like a new referral), and says what to check."""
    detail = [
        "**No clinical data was received for this patient**: no procedures, observations, conditions, medications "
        "or reports came in the prefetch or from fhirServer, so sijpath has assessed nothing and suggests no step.",
        "",
        "If the patient has SI-joint care on record, check that the EHR sends it: the prefetch, or access to "
        "fhirServer with the read scopes the service asks for.",
        "",
        md.notice(),
    ]
    return ctx.card(key, f"{subject}: no patient data received, nothing assessed", severity, detail, [])


def _absolute(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("https://", "http://"))
