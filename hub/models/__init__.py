"""hub/models."""
