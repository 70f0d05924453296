"""Citations as data: the evidence catalog every rule, threshold and coverage statement cites."""
