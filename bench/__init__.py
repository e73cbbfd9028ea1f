"""Benchmarks that print their figures; not timed tests."""
