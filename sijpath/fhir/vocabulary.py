"""Code systems, codes and extension URLs of the sijpath FHIR profile, and sijpath's own published CodeSystem."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASE",
    "CPT",
    "DICOM",
    "EXT",
    "HCPCS",
    "ICD10CM",
    "INJECTATE_AGENTS",
    "INJECTION_CPT",
    "LOINC",
    "LOINC_ODI_SCORE",
    "LOINC_PAIN_NRS",
    "LOINC_SMOKING_STATUS",
    "OWN",
    "OWN_CONCEPTS",
    "RXNORM",
    "RXNORM_INGREDIENTS",
    "SNOMED",
    "SNOMED_NEGATIVE",
    "SNOMED_POSITIVE",
    "SNOMED_SMOKER_CURRENT",
    "SNOMED_SMOKING",
    "UCUM",
    "code_system",
]

BASE = "https://sijpath.org/fhir"
"""Canonical base of everything sijpath defines; an identifier, not (yet) a server."""

OWN = f"{BASE}/CodeSystem/sijpath"
CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"

LOINC_PAIN_NRS = "72514-3"
LOINC_ODI_SCORE = "97909-6"
LOINC_SMOKING_STATUS = "72166-2"

SNOMED_POSITIVE = "10828004"
SNOMED_NEGATIVE = "260385009"
SNOMED_SMOKING = {"never": "266919005", "former": "8517006", "current": "77176002"}

# CPT / HCPCS codes of intra-articular SI-joint injections; the injectate tells a block from a therapeutic one.
INJECTION_CPT = {"27096": "fluoroscopy-or-ct", "G0260": None}

# Only RxCUIs verified against NLM-derived data (docs/fhir-profile.md); every agent also has our own code, and
# the importer falls back to the agent's name, which is how EHRs that send product-level RxCUIs are read.
RXNORM_INGREDIENTS = {"6387": "lidocaine", "10759": "triamcinolone"}
INJECTATE_AGENTS = (
    "lidocaine",
    "bupivacaine",
    "ropivacaine",
    "levobupivacaine",
    "mepivacaine",
    "methylprednisolone",
    "triamcinolone",
    "betamethasone",
    "dexamethasone",
)
SNOMED_SMOKER_CURRENT = ("77176002", "428041000124106")


class EXT:
    """URLs of the extensions the profile defines, each on the element named in its docstring line."""

    PAIN_SCORE_CONTEXT = f"{BASE}/StructureDefinition/pain-score-context"
    PROCEDURE_TIMING = f"{BASE}/StructureDefinition/procedure-timing"
    MINUTES_AFTER_PROCEDURE = f"{BASE}/StructureDefinition/minutes-after-procedure"
    IMAGE_GUIDANCE = f"{BASE}/StructureDefinition/image-guidance"
    CONTRAST_USED = f"{BASE}/StructureDefinition/contrast-used"
    CONCENTRATION_PERCENT = f"{BASE}/StructureDefinition/concentration-percent"
    RFA_TECHNIQUE = f"{BASE}/StructureDefinition/rfa-technique"
    FUSION_APPROACH = f"{BASE}/StructureDefinition/fusion-approach"
    IMPLANT_SYSTEM = f"{BASE}/StructureDefinition/implant-system"
    IMPLANT_COUNT = f"{BASE}/StructureDefinition/implant-count"
    TRANSFIXING = f"{BASE}/StructureDefinition/transfixing"
    MEDICATION_CLASS = f"{BASE}/StructureDefinition/medication-class"
    DAILY_MME = f"{BASE}/StructureDefinition/daily-mme"
    THERAPY_SESSIONS = f"{BASE}/StructureDefinition/therapy-sessions"
    THERAPY_SETTING = f"{BASE}/StructureDefinition/therapy-setting"
    THERAPY_FOCUS = f"{BASE}/StructureDefinition/therapy-focus"
    LAST_CONFIRMED = f"{BASE}/StructureDefinition/last-confirmed"
    IMAGING_SIDE = f"{BASE}/StructureDefinition/imaging-side"
    EQ5D_VALUE_SET = f"{BASE}/StructureDefinition/eq5d-value-set"


def _concepts(prefix: str, codes: str, display: str) -> list[tuple[str, str]]:
    return [(f"{prefix}{code}", display.format(code.replace("-", " "))) for code in codes.split()]


# (code, display); the published CodeSystem lists them in this order.
OWN_CONCEPTS: list[tuple[str, str]] = [
    ("diagnostic-block", "Diagnostic (anesthetic-only) intra-articular SI-joint block"),
    ("therapeutic-injection", "Therapeutic intra-articular SI-joint injection"),
    ("physical-therapy-course", "Course of physical therapy for SI-joint pain"),
    ("bracing-course", "Course of bracing (e.g. an SI-joint belt) for SI-joint pain"),
    ("activity-modification-course", "Course of activity modification for SI-joint pain"),
    (
        "lateral-branch-block",
        "Block of the nerves that supply the SI joint (lateral branch block) without recorded fluoroscopic or CT "
        "guidance (with it, CPT 64451)",
    ),
    *_concepts("agent-", " ".join(INJECTATE_AGENTS), "Injectate: {}"),
    ("left-sij", "Left sacroiliac joint"),
    ("right-sij", "Right sacroiliac joint"),
    ("bilateral-sij", "Both sacroiliac joints"),
    ("pain-presentation", "SI-joint pain presentation"),
    ("pain-onset", "Onset of the pain"),
    ("pain-below-l5", "Pain located below the L5 vertebra"),
    ("pain-laterality", "Side of the pain"),
    ("pain-radiates-below-knee", "Pain radiates below the knee"),
    *_concepts("provocation-", "distraction thigh-thrust compression sacral-thrust gaenslen faber yeoman", "{} test"),
    ("fortin-finger-test", "Fortin finger test"),
    ("familiar-pain", "Reproduces the patient's familiar pain"),
    ("other-pain", "Provokes pain other than the familiar pain"),
    ("relief-percent", "Pain relief after a procedure, percent"),
    ("relief-duration", "Duration of pain relief after a procedure"),
    ("functional-improvement", "Function improved, or medication or service use fell, after a procedure"),
    ("functional-improvement-duration", "How long function stayed improved after a procedure"),
    ("functional-status", "Functional status (work and activities of daily living)"),
    ("work-status", "Work status"),
    *_concepts("work-", "full-duty restricted unable not-applicable", "Work: {}"),
    ("adl-limited", "Activities of daily living limited by the pain"),
    ("fusion-contraindication", "Condition that argues against SI-joint fusion"),
    *_concepts(
        "", "generalized-pain-disorder infection tumor inflammatory-arthropathy pregnancy", "Contraindication: {}"
    ),
    # One code for both uses: a recorded fracture (contraindication kind) and a fracture seen on imaging.
    ("fracture", "Fracture (a recorded condition, or an imaging finding)"),
    ("fusion-contraindications-reviewed", "Record reviewed for fusion contraindications"),
    ("post-fusion-follow-up", "Post-fusion follow-up visit"),
    ("taking-opioids", "Taking opioid medication"),
    ("ct-bony-bridging", "CT shows bony bridging across the joint"),
    ("weight-bearing", "Weight bearing"),
    *_concepts("weight-bearing-", "assisted cane independent", "Weight bearing: {}"),
    ("cotinine", "Cotinine level"),
    *_concepts("imaging-", "sij pelvis lumbar hip", "Imaging of the {}"),
    *_concepts(
        "",
        "joint-space-widening subchondral-sclerosis joint-disruption destructive-lesion inflammatory-sacroiliitis "
        "lumbar-stenosis-or-disc-herniation hip-osteoarthritis normal",
        "Imaging finding: {}",
    ),
    *_concepts("guidance-", "fluoroscopy ct fluoroscopy-or-ct ultrasound none", "Image guidance: {}"),
    *_concepts("pain-context-", "clinic diary follow-up pre-operative", "Pain score context: {}"),
    *_concepts("timing-", "pre-procedure post-procedure", "Score taken {}"),
    *_concepts("medication-", "nsaid muscle-relaxant neuropathic-agent opioid acetaminophen other", "Medication: {}"),
    # The outcomes registry (docs/outcomes.md): measures no verified LOINC code names. Back and leg pain ride on
    # LOINC 72514-3 and the ODI on 97909-6; these codes say which pain, and name what LOINC was not found for.
    ("sij-fusion", "SI-joint fusion (an index procedure of the outcomes registry)"),
    ("sij-rfa", "Radiofrequency ablation of the nerves of the SI joint (an index procedure)"),
    ("nrs-back-pain", "Back pain on a 0-10 numeric rating scale"),
    ("nrs-leg-pain", "Leg pain on a 0-10 numeric rating scale"),
    ("eq5d-5l-health-state", "EQ-5D-5L health state: the five levels as a five-digit profile"),
    ("eq5d-5l-index", "EQ-5D-5L index value under a named value set"),
    ("eq5d-vas", "EQ VAS: self-rated health today, 0 to 100"),
    ("opioid-daily-mme", "Opioid use as morphine milligram equivalents per day (CDC 2022 factors)"),
    ("ct-bridging", "CT assessment of bony bridging across the fused joint"),
    *_concepts("ct-bridging-", "bridged not-bridged indeterminate", "CT bony bridging: {}"),
    ("satisfaction-with-result", "Satisfaction with the result of the index procedure, on five levels"),
    *_concepts("satisfaction-", "very-satisfied satisfied neutral dissatisfied very-dissatisfied", "Satisfaction: {}"),
    ("working", "Working (return to work) at the follow-up, yes or no"),
    ("complication", "Complication after the index procedure, as text"),
    ("revision-surgery", "Revision surgery after the index procedure, yes or no"),
    ("readmission", "Readmission to hospital after the index procedure, yes or no"),
]


def code_system(url: str, name: str, title: str, concepts: list[tuple[str, str]], version: str) -> dict[str, Any]:
    """A FHIR R4 CodeSystem resource (JSON) listing `concepts`."""
    return {
        "resourceType": "CodeSystem",
        "id": url.rsplit("/", 1)[1],
        "url": url,
        "version": version,
        "name": name,
        "title": title,
        "status": "active",
        "experimental": False,
        "publisher": "sijpath",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": [{"code": code, "display": display} for code, display in concepts],
    }
