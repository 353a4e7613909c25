"""Roster imports: see docs/imports.md."""
