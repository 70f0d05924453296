"""Deployment settings: where the data lives, which rule set is the default, session and login limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Settings"]


class Settings(BaseModel):
    """Read once by the composition root (from options and `SIJPATH_*` variables) and handed down; nothing
    below it reads the environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    default_ruleset: str = "source-articles"
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_attempts_per_minute: int = Field(default=5, ge=1, le=1000)
    secure_cookies: bool = Field(default=True, description="Send cookies over HTTPS only (off for local HTTP).")
    demo_login: tuple[str, str] | None = Field(default=None, description="Shown on the login page in demo mode.")

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sijpath.db'}"

    @property
    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)
