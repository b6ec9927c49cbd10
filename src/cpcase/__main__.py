"""``python -m cpcase`` runs the command line."""

from cpcase.cli import main

main()
