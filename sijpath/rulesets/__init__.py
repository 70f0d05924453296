"""Rule sets: the built-in rule-set files (data) and the parser every rule set, built-in or a user's, goes through."""
