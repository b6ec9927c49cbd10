"""``cpcase convert``, ``cpcase mapping suggest``, ``cpcase export`` and ``cpcase template``.

Exit status of ``convert``: 0 when every row converted, 3 when some rows were rejected (see
``report.xlsx``), 2 when the register (or the mapping file) cannot be used at all.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from cpcase.labels import Lang

__all__ = ["register"]

_LANG = click.Choice(["fr", "en"])


def _fail(exc: Exception, lang: str) -> None:
    from cpcase.adapters.excel.errors import RegisterError

    text = exc.message_in(_lang(lang)) if isinstance(exc, RegisterError) else str(exc)
    prefix = "erreur" if lang == "fr" else "error"
    click.echo(f"cpcase: {prefix}: {text}", err=True)
    sys.exit(2)


def _lang(value: str) -> Lang:
    return "en" if value == "en" else "fr"


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()  # noqa: DTZ011 - the officer's calendar day is the reference
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--today") from None


@click.command("convert")
@click.argument(
    "register_path", metavar="REGISTER", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory (created if needed).",
)
@click.option(
    "--to",
    "target",
    type=click.Choice(["primero"]),
    default=None,
    help="Also write cases.primero.jsonl (Primero v2 create bodies).",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML mapping file (see 'cpcase mapping suggest').",
)
@click.option(
    "--lang",
    type=_LANG,
    default="fr",
    show_default=True,
    help="Language of the report and messages.",
)
@click.option(
    "--sheet", default=None, help="Sheet to read (default: the one that looks like a register)."
)
@click.option(
    "--today",
    "today_text",
    default=None,
    metavar="YYYY-MM-DD",
    help="Reference date for 'not in the future' checks (default: today).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary.")
def convert_cmd(
    register_path: Path,
    out_dir: Path,
    target: str | None,
    mapping_path: Path | None,
    lang: str,
    sheet: str | None,
    today_text: str | None,
    *,
    quiet: bool,
) -> None:
    """Convert an Excel/CSV register into validated case files and a report.

    Writes OUT/cases.jsonl, OUT/report.xlsx, OUT/rows.csv, OUT/summary.json (and
    OUT/cases.primero.jsonl with --to primero). The register is only read.
    """
    from cpcase.adapters.excel.convert import ConvertOptions, convert_register
    from cpcase.adapters.excel.errors import RegisterError
    from cpcase.adapters.excel.mapping import MappingConfig, load_mapping

    today = _today(today_text)
    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else MappingConfig()
    except RegisterError as exc:
        _fail(exc, lang)
        return
    options = ConvertOptions(
        today=today,
        lang=_lang(lang),
        mapping=mapping,
        sheet=sheet,
        primero=target == "primero",
    )
    show = not quiet and sys.stderr.isatty()
    bar: Any = None

    def on_sheet(sh: Any) -> None:
        nonlocal bar
        if show:
            bar = click.progressbar(
                length=max(sh.row_count_estimate, 1),
                label="Conversion" if lang == "fr" else "Converting",
                file=sys.stderr,
            )
            bar.__enter__()

    last = 0

    def progress(done: int) -> None:
        nonlocal last
        if bar is not None:
            bar.update(done - last)
            last = done

    try:
        summary = convert_register(
            register_path, out_dir, options, progress=progress, on_sheet=on_sheet
        )
    except RegisterError as exc:
        if bar is not None:
            bar.__exit__(None, None, None)
        _fail(exc, lang)
        return
    except OSError as exc:
        if bar is not None:
            bar.__exit__(None, None, None)
        _fail(exc, lang)
        return
    if bar is not None:
        bar.__exit__(None, None, None)
    if target == "primero" and summary.primero != "written":
        click.echo(
            "cpcase: "
            + (
                "le module Primero n'est pas disponible : cases.primero.jsonl non écrit"
                if lang == "fr"
                else "the Primero adapter is not available: cases.primero.jsonl not written"
            ),
            err=True,
        )
    if not quiet:
        click.echo(summary.render(_lang(lang)))
    sys.exit(summary.exit_code)


@click.group("mapping")
def mapping_group() -> None:
    """Column mapping files for registers."""


@mapping_group.command("suggest")
@click.argument(
    "register_path", metavar="REGISTER", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the draft here (default: standard output).",
)
@click.option("--sheet", default=None, help="Sheet to read.")
@click.option("--lang", type=_LANG, default="fr", show_default=True)
def suggest_cmd(register_path: Path, out_path: Path | None, sheet: str | None, lang: str) -> None:
    """Write a draft TOML mapping for REGISTER, listing the columns not recognised."""
    from cpcase.adapters.excel._xlsxwrite import atomic_write_bytes
    from cpcase.adapters.excel.convert import ConvertOptions, open_sheet
    from cpcase.adapters.excel.errors import RegisterError
    from cpcase.adapters.excel.mapping import MappingConfig, map_columns, mapping_draft
    from cpcase.adapters.excel.reader import RegisterFile

    options = ConvertOptions(today=_today(None), lang=_lang(lang), sheet=sheet)
    try:
        with RegisterFile(register_path) as register:
            found, guess = open_sheet(register, options)
            column_map = map_columns(list(guess.names), MappingConfig())
            text = mapping_draft(
                register_name=register_path.name,
                sheet=found.name,
                header_row=guess.row,
                column_map=column_map,
                lang=lang,
            )
    except RegisterError as exc:
        _fail(exc, lang)
        return
    if out_path is None:
        click.echo(text, nl=False)
    else:
        atomic_write_bytes(out_path, [text.encode("utf-8")])
    for column in column_map.unmapped:
        click.echo(
            ("colonne non reconnue : " if lang == "fr" else "unrecognised column: ")
            + f"{column.header!r}",
            err=True,
        )


@click.command("export")
@click.argument(
    "cases_path", metavar="CASES.jsonl", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (.xlsx).",
)
@click.option("--lang", type=_LANG, default="fr", show_default=True)
def export_cmd(cases_path: Path, out_path: Path, lang: str) -> None:
    """Export case files to Excel: a register sheet and one sheet per form."""
    from cpcase.adapters.excel.errors import RegisterError
    from cpcase.adapters.excel.export import export_cases

    try:
        result = export_cases(cases_path, out_path, lang=_lang(lang))
    except RegisterError as exc:
        _fail(exc, lang)
        return
    word = "dossiers exportés" if lang == "fr" else "cases exported"
    click.echo(f"{result.cases} {word} → {result.path}")


@click.command("template")
@click.option(
    "-o",
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (.xlsx).",
)
@click.option("--lang", type=_LANG, default="fr", show_default=True)
def template_cmd(out_path: Path, lang: str) -> None:
    """Write a blank register with dropdowns and an instructions sheet."""
    from cpcase.adapters.excel.template import write_template

    write_template(out_path, lang=_lang(lang))
    click.echo(str(out_path))


def register(group: click.Group) -> None:
    """Add the register commands to the ``cpcase`` group."""
    group.add_command(convert_cmd)
    group.add_command(mapping_group)
    group.add_command(export_cmd)
    group.add_command(template_cmd)
