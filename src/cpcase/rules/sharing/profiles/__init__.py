"""Shipped sharing policies (TOML data files, one per source document; see ``matrix.py``)."""
