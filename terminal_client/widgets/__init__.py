"""Widgets of the cashier terminal."""
