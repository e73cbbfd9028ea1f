"""Screens of the cashier terminal."""
