"""``cpcase forms`` (list the harmonised catalogue) and ``cpcase schema FORM_CODE``."""

from __future__ import annotations

import json

import click

from cpcase.forms import CATALOGUE, get_form

__all__ = ["register"]


@click.command("forms")
@click.option("--lang", type=click.Choice(["fr", "en", "both"]), default="both", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def forms_cmd(lang: str, *, as_json: bool) -> None:
    """List every form of the harmonised catalogue: code, names, step and class."""
    if as_json:
        rows = [
            {
                "code": e.code,
                "name_fr": e.name_fr,
                "name_en": e.name_en,
                "step": e.step.value,
                "step_number": e.step.number,
                "class": e.form_class.value,
                "model": e.model.__name__,
            }
            for e in CATALOGUE.values()
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for e in CATALOGUE.values():
        step = str(e.step.number) if e.step.number else "any"
        names = {
            "fr": e.name_fr,
            "en": e.name_en,
            "both": f"{e.name_fr} / {e.name_en}",
        }[lang]
        click.echo(f"{e.code:<10} step {step:<4} {e.form_class.value:<14} {names}")


@click.command("schema")
@click.argument("form_code")
def schema_cmd(form_code: str) -> None:
    """Print the JSON Schema of form FORM_CODE (e.g. 3.A), or of the whole case file (CASE)."""
    if form_code.upper() in {"CASE", "CASEFILE"}:
        from cpcase.case import CaseFile

        schema = CaseFile.model_json_schema()
    else:
        try:
            model = get_form(form_code)
        except KeyError:
            known = ", ".join(CATALOGUE)
            raise click.BadParameter(
                f"unknown form code {form_code!r}; known codes: {known}", param_hint="FORM_CODE"
            ) from None
        schema = model.model_json_schema()
    click.echo(json.dumps(schema, ensure_ascii=False, indent=2))


def register(group: click.Group) -> None:
    """Add the catalogue commands to the ``cpcase`` group."""
    group.add_command(forms_cmd)
    group.add_command(schema_cmd)
