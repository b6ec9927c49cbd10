"""The installed cpcase version (single source for packaging and ``cpcase --version``)."""

__version__ = "0.1.0"
