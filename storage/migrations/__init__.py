"""Alembic migration scripts (a package so that env.py ships with the wheel)."""
