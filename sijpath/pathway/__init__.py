"""The SI-joint pathway: its vocabulary, facts, criteria, flags and decision table, as values the engine runs."""
