"""``cpcase policy show``, ``cpcase tasks`` and ``cpcase caseload`` (the rules on the command line).

Case files are read from JSON Lines: one :class:`~cpcase.case.CaseFile` JSON object per line.
A line that does not validate stops the command with its line number and the fields at fault
(never their values); nothing is skipped silently. Output names case codes, never children.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cpcase.case import CaseFile
from cpcase.errors import FormError, PolicyError
from cpcase.labels import Lang
from cpcase.rules._facts import closed_on
from cpcase.rules.caseload import CaseAssignment, CaseloadReport, LoadCheck, caseload_report
from cpcase.rules.policy import DEFAULT_PROFILE, Policy, list_profiles, load_policy, load_profile
from cpcase.rules.schedule import Task, TaskStatus, by_urgency, schedule
from cpcase.vocab.core import CaseStatus

__all__ = ["register"]


def _policy(spec: str | None) -> Policy:
    """A shipped profile by name, or a user's TOML override file by path."""
    name = spec or DEFAULT_PROFILE
    try:
        if name.endswith(".toml") or os.sep in name or Path(name).is_file():
            return load_policy(name)
        return load_profile(name)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


def _read_cases(path: Path) -> Iterator[CaseFile]:
    """Case files of a JSONL file; the first invalid line stops with its line number."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield CaseFile.parse_json(line)
            except FormError as exc:
                raise click.ClickException(f"{path}, line {lineno}: {exc}") from None
            except UnicodeDecodeError:
                raise click.ClickException(f"{path}, line {lineno}: not UTF-8 text") from None


# --- policy ---------------------------------------------------------------------------------


@click.group("policy")
def policy_group() -> None:
    """Policy profiles: deadlines, ratios and thresholds with their citations."""


@policy_group.command("list")
def policy_list() -> None:
    """List the profiles shipped with cpcase."""
    for name in list_profiles():
        p = load_profile(name)
        click.echo(f"{name:<18} {p.profile.title_en}")


@policy_group.command("show")
@click.argument("profile", required=False)
@click.option(
    "--file",
    "override",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file overriding values of PROFILE (or of its [profile] extends).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def policy_show(profile: str | None, override: Path | None, *, as_json: bool) -> None:
    """Print the resolved PROFILE (default mali-2020) with every value's citation."""
    try:
        if override is not None:
            policy = load_policy(override, base=profile)
        else:
            policy = load_profile(profile or DEFAULT_PROFILE)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    info = policy.profile
    if as_json:
        doc = {
            "id": info.id,
            "title_fr": info.title_fr,
            "title_en": info.title_en,
            "sources": list(info.sources),
            "files": list(info.files),
            "values": {
                key: {"value": c.display(), "cite": c.cite, "note": c.note, "source": c.source}
                for key, c in policy.items()
            },
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {info.id}: {info.title_fr}")
    click.echo(f"# {info.title_en}")
    for src in info.sources:
        click.echo(f"# source: {src}")
    click.echo(f"# files: {', '.join(info.files)}")
    section = ""
    for key, cited in policy.items():
        head = key.rsplit(".", 1)[0]
        if head != section:
            section = head
            click.echo(f"\n[{head}]")
        click.echo(f"{key.rsplit('.', 1)[1]} = {cited.display()}")
        click.echo(f"    cite: {cited.cite}")
        if cited.note:
            click.echo(f"    note: {cited.note}")


# --- tasks ----------------------------------------------------------------------------------

_TODAY = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"])
_HEADERS = {
    "fr": (
        "Statut",
        "Échéance",
        "Jours de retard",
        "Dossier",
        "Gestionnaire",
        "Tâche",
        "Risque",
        "Règle",
        "Réf.",
    ),
    "en": ("Status", "Due", "Days late", "Case", "Caseworker", "Task", "Risk", "Rule", "Ref."),
}


def _row(task: Task, today: dt.date, lang: Lang) -> tuple[str, ...]:
    late = (today - task.due).days if task.status is TaskStatus.OVERDUE else 0
    due = task.due_at.strftime("%Y-%m-%d %H:%M") if task.due_at else task.due.isoformat()
    return (
        task.status.label(lang),
        due,
        str(late) if late else "",
        task.case_code,
        task.caseworker_id or "",
        task.kind.label(lang),
        task.risk_level.label(lang).split(":")[0] if task.risk_level else "",
        task.rule,
        task.ref or "",
    )


def _write_xlsx(out: Path, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Write the table atomically (temp file in the same directory, fsync, replace)."""
    from openpyxl import Workbook  # adapter dependency: imported only by this command

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # noqa: S101 - a new workbook always has an active sheet
    ws.title = "tasks"
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    ws.freeze_panes = "A2"
    out = out.resolve()
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            wb.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("tasks")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--today", "today_opt", type=_TODAY, required=True, help="YYYY-MM-DD[THH:MM]")
@click.option("--policy", "policy_spec", help="Profile name or TOML override file.")
@click.option("--caseworker", help="Only this caseworker's cases.")
@click.option("--all", "show_all", is_flag=True, help="Also upcoming and done tasks.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Write a workbook."
)
def tasks_cmd(
    cases: Path,
    today_opt: dt.datetime,
    policy_spec: str | None,
    caseworker: str | None,
    xlsx: Path | None,
    lang: Lang,
    *,
    show_all: bool,
) -> None:
    """Due and overdue tasks of the cases in CASES (JSON Lines), most urgent first."""
    policy = _policy(policy_spec)
    today: dt.date | dt.datetime = (
        today_opt if (today_opt.hour, today_opt.minute) != (0, 0) else today_opt.date()
    )
    day = today_opt.date()
    tasks: list[Task] = []
    for case in _read_cases(cases):
        if caseworker and case.caseworker_id != caseworker:
            continue
        tasks.extend(schedule(case, policy, today))
    wanted = (
        tasks
        if show_all
        else [t for t in tasks if t.status in (TaskStatus.OVERDUE, TaskStatus.DUE)]
    )
    ordered = by_urgency(wanted)
    headers = _HEADERS[lang]
    rows = [_row(t, day, lang) for t in ordered]
    if xlsx is not None:
        _write_xlsx(xlsx, headers, rows)
        click.echo(f"{len(rows)} task(s) written to {xlsx}", err=True)
        return
    if not rows:
        click.echo("No due or overdue task." if lang == "en" else "Aucune tâche due ou en retard.")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    overdue = sum(1 for t in ordered if t.status is TaskStatus.OVERDUE)
    click.echo(f"\n{len(rows)} task(s), {overdue} overdue (policy {policy.id}, {day.isoformat()})")


# --- caseload -------------------------------------------------------------------------------


def _check_line(c: LoadCheck, lang: Lang) -> str:
    target = "target" if lang == "en" else "cible"
    return (
        f"{c.who:<20} {c.count:>4}  ({target} {c.target}, max {c.maximum})  {c.status.label(lang)}"
    )


def _report_json(report: CaseloadReport) -> dict[str, Any]:
    def check(c: LoadCheck) -> dict[str, Any]:
        return {
            "id": c.who,
            "count": c.count,
            "target": c.target,
            "max": c.maximum,
            "status": c.status.value,
            "rule": c.rule,
        }

    s = report.staffing
    return {
        "caseworkers": [check(c) for c in report.caseworkers],
        "supervisors": [check(c) for c in report.supervisors],
        "unassigned": list(report.unassigned),
        "staffing": {
            "open_cases": s.open_cases,
            "caseworkers": s.caseworkers,
            "supervisors": s.supervisors,
            "caseworkers_needed": s.caseworkers_needed,
            "caseworkers_minimum": s.caseworkers_minimum,
            "supervisors_needed": s.supervisors_needed,
            "supervisors_minimum": s.supervisors_minimum,
            "caseworkers_to_add": s.caseworkers_to_add,
            "supervisors_to_add": s.supervisors_to_add,
        },
    }


@click.command("caseload")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--policy", "policy_spec", help="Profile name or TOML override file.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def caseload_cmd(cases: Path, policy_spec: str | None, lang: Lang, *, as_json: bool) -> None:
    """Open cases per caseworker and caseworkers per supervisor against the ratios."""
    policy = _policy(policy_spec)
    assignments = [
        CaseAssignment(c.case_code, c.caseworker_id, c.supervisor_id)
        for c in _read_cases(cases)
        if c.status is CaseStatus.OPEN and closed_on(c) is None
    ]
    report = caseload_report(assignments, policy)
    if as_json:
        click.echo(json.dumps(_report_json(report), ensure_ascii=False, indent=2))
        return
    en = lang == "en"
    click.echo("Caseworkers (open cases)" if en else "Gestionnaires de cas (dossiers ouverts)")
    for c in report.caseworkers:
        click.echo("  " + _check_line(c, lang))
    click.echo("Supervisors (caseworkers)" if en else "Superviseurs (gestionnaires de cas)")
    for c in report.supervisors:
        click.echo("  " + _check_line(c, lang))
    if not report.supervisors:
        click.echo("  (no supervisor recorded)" if en else "  (aucun superviseur renseigné)")
    if report.unassigned:
        label = "Cases without a caseworker" if en else "Dossiers sans gestionnaire de cas"
        click.echo(f"{label}: {', '.join(report.unassigned)}")
    s = report.staffing
    click.echo(
        (
            f"Staffing: {s.open_cases} open cases; caseworkers {s.caseworkers} "
            f"(needed {s.caseworkers_needed} at target, {s.caseworkers_minimum} at most load; "
            f"add {s.caseworkers_to_add}); supervisors {s.supervisors} "
            f"(needed {s.supervisors_needed}; add {s.supervisors_to_add})"
        )
        if en
        else (
            f"Effectifs : {s.open_cases} dossiers ouverts ; gestionnaires {s.caseworkers} "
            f"(il en faut {s.caseworkers_needed} à la cible, {s.caseworkers_minimum} au maximum "
            f"de charge ; à ajouter {s.caseworkers_to_add}) ; superviseurs {s.supervisors} "
            f"(il en faut {s.supervisors_needed} ; à ajouter {s.supervisors_to_add})"
        )
    )
    click.echo(f"(policy {policy.id})")


def register(group: click.Group) -> None:
    """Add ``policy``, ``tasks`` and ``caseload`` to the ``cpcase`` command group."""
    group.add_command(policy_group)
    group.add_command(tasks_cmd)
    group.add_command(caseload_cmd)
