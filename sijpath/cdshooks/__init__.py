"""The CDS Hooks 2.0.1 service: discovery, the pathway and procedure-order hooks, feedback, JWT security."""

from __future__ import annotations

__all__: list[str] = []
