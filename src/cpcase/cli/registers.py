"""``cpcase convert``, ``cpcase mapping suggest``, ``cpcase export`` and ``cpcase template``.

Exit status of ``convert``: 0 when every row converted, 3 when some rows were rejected (see
``report.xlsx``), 2 when the register (or the mapping file) cannot be used at all. Likewise
``export``: 0 when every case was exported, 3 when the sharing matrix refused some cases for
``--audience`` (listed on stderr by case code), 2 when the input or the options are unusable.
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
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes converting rows: 0 = one per CPU for large registers, 1 = this one only. "
    "The outputs are the same either way.",
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
    workers: int,
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
        workers=workers,
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
@click.option(
    "--audience",
    default=None,
    help="Only what this audience may see (as 'cpcase share'): caseworker, supervisor, "
    "provider, receiving_org, child_family, meeting.",
)
@click.option(
    "--purpose", default=None, help="Why they receive it (default: the audience's only one)."
)
@click.option("--actor", default=None, help="Identifier of the person disclosing.")
@click.option("--organisation", default=None, help="The actor's organisation (meetings).")
@click.option("--recipient", default=None, help="Receiving provider/organisation id.")
@click.option("--service", default=None, help="Requested service (providers), e.g. health.")
@click.option(
    "--audit",
    "audit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the audit records (default: OUT.audit.jsonl).",
)
@click.option(
    "--prior-audit",
    "prior_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Earlier audit logs (single-use consents already used). Repeatable.",
)
@click.option(
    "--policy",
    "policy_spec",
    default=None,
    help="Sharing policy name or TOML override file (default: mali-2020).",
)
@click.option(
    "--now",
    "now_opt",
    type=click.DateTime(),
    default=None,
    help="Disclosure time (default: now; UTC unless a zone is given).",
)
def export_cmd(
    cases_path: Path,
    out_path: Path,
    lang: str,
    audience: str | None,
    purpose: str | None,
    actor: str | None,
    organisation: str | None,
    recipient: str | None,
    service: str | None,
    audit_path: Path | None,
    prior_paths: tuple[Path, ...],
    policy_spec: str | None,
    now_opt: dt.datetime | None,
) -> None:
    """Export case files to Excel: a register sheet and one sheet per form.

    With --audience, each case goes through the sharing matrix ('cpcase share'): the workbook
    holds only the sheets and columns that audience may see, refused cases are listed on
    stderr (exit status 3), and each disclosure is written to an audit log.
    """
    from cpcase.adapters.excel.errors import RegisterError
    from cpcase.adapters.excel.export import ExportAudienceError, export_cases

    sharing = {
        "--purpose": purpose,
        "--actor": actor,
        "--organisation": organisation,
        "--recipient": recipient,
        "--service": service,
        "--audit": audit_path,
        "--prior-audit": prior_paths or None,
        "--policy": policy_spec,
        "--now": now_opt,
    }
    try:
        if audience is None:
            given = [name for name, value in sharing.items() if value is not None]
            if given:
                raise ExportAudienceError(
                    f"{', '.join(given)}: only with --audience",
                    f"{', '.join(given)} : seulement avec --audience",
                )
            result = export_cases(cases_path, out_path, lang=_lang(lang))
        else:
            result = export_cases(
                cases_path,
                out_path,
                lang=_lang(lang),
                audit=audit_path or out_path.with_name(out_path.name + ".audit.jsonl"),
                **_audience_options(
                    audience,
                    purpose,
                    actor,
                    organisation,
                    recipient,
                    service,
                    prior_paths,
                    policy_spec,
                    now_opt,
                ),
            )
    except (RegisterError, OSError) as exc:
        _fail(exc, lang)
        return
    click.echo(result.render(_lang(lang)))
    if result.refused:
        click.echo(result.render_refused(_lang(lang)), err=True)
    sys.exit(result.exit_code)


def _audience_options(
    audience: str,
    purpose: str | None,
    actor: str | None,
    organisation: str | None,
    recipient: str | None,
    service: str | None,
    prior_paths: tuple[Path, ...],
    policy_spec: str | None,
    now_opt: dt.datetime | None,
) -> dict[str, Any]:
    """``export_cases`` keywords for ``--audience``; bad values raise ExportAudienceError."""
    import json

    from cpcase.adapters.excel.export import ExportAudienceError
    from cpcase.errors import PolicyError
    from cpcase.rules.sharing import (
        Audience,
        AuditRecord,
        ConsentContext,
        Purpose,
        code_member,
        load_sharing_policy,
    )
    from cpcase.vocab import ServiceCategory

    def bad(en: str, fr: str) -> ExportAudienceError:
        return ExportAudienceError(en, fr)

    try:
        aud = code_member(Audience, audience.strip())
    except ValueError:
        names = ", ".join(a.value for a in Audience)
        raise bad(f"--audience: one of {names}", f"--audience : parmi {names}") from None
    pur = None
    if purpose is not None:
        try:
            pur = code_member(Purpose, purpose.strip())
        except ValueError:
            names = ", ".join(p.value for p in Purpose)
            raise bad(f"--purpose: one of {names}", f"--purpose : parmi {names}") from None
    if not actor:
        raise bad(
            "--actor is required with --audience (who discloses goes in the audit log)",
            "--actor est obligatoire avec --audience (qui communique figure dans le journal "
            "d'audit)",
        )
    svc = None
    if service is not None:
        wanted = service.strip().casefold()
        hits = [s for s in ServiceCategory if s.value == wanted] or [
            s for s in ServiceCategory if s.value.startswith(wanted)
        ]
        if len(hits) != 1:
            names = ", ".join(s.value for s in ServiceCategory)
            raise bad(f"--service: one of {names}", f"--service : parmi {names}")
        svc = hits[0]
    prior: list[AuditRecord] = []
    for path in prior_paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise bad(
                f"--prior-audit {path}: cannot read", f"--prior-audit {path} : illisible"
            ) from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                prior.append(AuditRecord.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                raise bad(
                    f"--prior-audit {path}, line {number}: not an audit record",
                    f"--prior-audit {path}, ligne {number} : pas un enregistrement d'audit",
                ) from None
    spec = policy_spec or "mali-2020"
    try:
        policy = load_sharing_policy(Path(spec) if spec.endswith(".toml") else spec)
    except PolicyError as exc:
        raise bad(f"--policy: {exc}", f"--policy : {exc}") from None
    now = None
    if now_opt is not None:
        now = now_opt if now_opt.tzinfo is not None else now_opt.replace(tzinfo=dt.UTC)
    context = ConsentContext(
        actor_id=actor,
        actor_organisation_id=organisation,
        recipient_id=recipient,
        service=svc,
        prior_disclosures=tuple(prior),
    )
    return {
        "audience": aud,
        "purpose": pur,
        "consent_context": context,
        "now": now,
        "policy": policy,
    }


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
