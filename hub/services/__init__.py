"""hub/services."""
