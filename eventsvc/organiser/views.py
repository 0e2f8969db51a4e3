"""Organiser views (issue 4)."""
