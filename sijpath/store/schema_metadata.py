"""The one SQLAlchemy metadata every table of the schema is registered on."""

from __future__ import annotations

from sqlalchemy import MetaData

__all__ = ["metadata"]

metadata = MetaData()
