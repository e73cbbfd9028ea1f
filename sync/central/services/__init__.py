"""Central's business rules in shop words; no FastAPI here."""
