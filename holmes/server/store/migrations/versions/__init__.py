"""Alembic revision files of the store, oldest first."""
