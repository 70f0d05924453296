"""Documents made from assessments: Markdown reports (later: prior-authorization letters, decision aids)."""
