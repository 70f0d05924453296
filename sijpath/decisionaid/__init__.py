"""The patient decision aid (IPDAS): outcome evidence, the aid built from an assessment, its renderers and self-check."""
