"""The database: episodes with fact provenance, assessments, CDS feedback, users and the hash-chained audit log."""
