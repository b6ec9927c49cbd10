"""CPIMS+/Primero v2 adapter (in progress; public API re-exported once complete)."""

__all__: list[str] = []
