"""hub/devices."""
