"""FHIR R4 in and out: the sijpath profile, Bundle and bulk NDJSON import with provenance, and export."""
