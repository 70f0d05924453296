"""The patient decision aid (IPDAS): outcome evidence, the aid per joint, its renderers and self-check."""
