"""Hypothesis strategies and fixtures for cpcase and for downstream projects' own tests."""

__all__: list[str] = []
