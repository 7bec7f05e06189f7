"""Protections that wrap every request: CSRF, headers, limits."""
