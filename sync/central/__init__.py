"""The central store service (PostgreSQL)."""
