"""Placeholder: filled in by the foundation work (see issue 2)."""

__all__: list[str] = []
