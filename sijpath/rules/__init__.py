"""The clinical rules of the SI-joint pathway, the pathway decision, and the rule-set file format."""
