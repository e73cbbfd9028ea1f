"""Thin routes: parse, call a service in one transaction, shape the answer."""
