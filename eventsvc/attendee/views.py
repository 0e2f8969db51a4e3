"""Registrant self-service views (issue 3)."""
