"""Generic rule machinery: rule and rule-set values, three-valued outcomes, and the pure `evaluate`."""
