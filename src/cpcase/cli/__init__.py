"""The ``cpcase`` command line for data officers and developers.

Each capability registers its commands from its own module (``cli/<topic>.py``, a ``register``
function), so the command modules stay independent of one another.
"""

from __future__ import annotations

import importlib

import click

from cpcase._version import __version__

__all__ = ["main"]

# Modules under cpcase.cli that define ``register(group: click.Group) -> None``.
_COMMAND_MODULES = ("forms", "rules", "sharing", "registers", "primero", "archive")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cpcase")
def main() -> None:
    """cpcase: child-protection case management (forms, rules, registers, CPIMS+, archives)."""


for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"cpcase.cli.{_name}")
    except ModuleNotFoundError as _exc:  # a capability not yet installed in this tree
        if _exc.name != f"cpcase.cli.{_name}":
            raise
        continue
    _module.register(main)
