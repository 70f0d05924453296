"""Population screening: a Bulk Data export, every patient through the pathway under each rule set, in batch."""
