"""cpcase: child-protection case management."""

from cpcase._version import __version__

__all__ = ["__version__"]
