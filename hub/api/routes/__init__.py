"""REST routes, one module per area; each is thin and calls a service."""
