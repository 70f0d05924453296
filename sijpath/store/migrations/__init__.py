"""Alembic migrations of the sijpath schema (run by `sijpath db upgrade`)."""
