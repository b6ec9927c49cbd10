"""``cpcase share`` and ``cpcase indicators``: filtered views with audit, and the monthly sheet.

Case files are read from JSON Lines (one :class:`~cpcase.case.CaseFile` per line); an invalid line
stops the command with its line number and the fields at fault, never their values. Outputs are
written atomically (temporary file in the same directory, fsync, rename) with owner-only
permissions. Messages name case codes and reason codes, never children.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from cpcase.case import CaseFile
from cpcase.errors import FormError, PolicyError, SharingError
from cpcase.rules.sharing import (
    Audience,
    AuditRecord,
    Breakdown,
    ConsentContext,
    Indicator,
    MonthlySheet,
    Purpose,
    Requester,
    Scope,
    ScopeLevel,
    ScopeNotPermitted,
    SharingPolicy,
    code_member,
    load_sharing_policy,
    monthly_sheet_from_cases,
    share,
)
from cpcase.vocab import ServiceCategory

__all__ = ["demo_sharing", "register"]


# --- helpers ------------------------------------------------------------------------------


def _read_cases(path: Path) -> Iterator[CaseFile]:
    """Case files of a JSONL file; the first invalid line stops with its line number."""
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        lineno = 0
        try:
            for lineno, line in enumerate(handle, start=1):  # noqa: B007 - used in messages
                if line.strip():
                    yield CaseFile.parse_json(line)
        except FormError as exc:
            raise click.ClickException(f"{path}, line {lineno}: {exc}") from None
        except UnicodeDecodeError:
            raise click.ClickException(f"{path}, line {lineno + 1}: not UTF-8 text") from None


def _read_audit(paths: Iterable[Path]) -> tuple[AuditRecord, ...]:
    records: list[AuditRecord] = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise click.ClickException(f"{path}: cannot read: {exc.strerror}") from None
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(AuditRecord.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                raise click.ClickException(f"{path}, line {lineno}: not an audit record") from None
    return tuple(records)


def _atomic_write(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``path`` atomically, readable by the owner only."""
    target = path.resolve()
    if not target.parent.is_dir():
        raise click.ClickException(f"{path}: directory does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonl(rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield (json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _policy(spec: str) -> SharingPolicy:
    try:
        return load_sharing_policy(Path(spec) if spec.endswith(".toml") else spec)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


def _service(text: str | None) -> ServiceCategory | None:
    """A service category by code or unambiguous prefix (``health`` → ``health_care``)."""
    if text is None:
        return None
    wanted = text.strip().casefold()
    exact = [s for s in ServiceCategory if s.value == wanted]
    hits = exact or [s for s in ServiceCategory if s.value.startswith(wanted)]
    if len(hits) != 1:
        choices = ", ".join(s.value for s in ServiceCategory)
        raise click.BadParameter(f"{text!r} is not one service category ({choices})")
    return hits[0]


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# --- share --------------------------------------------------------------------------------


def _recipients(case: CaseFile, audience: Audience, service: ServiceCategory | None) -> list[str]:
    """The receivers the file records for this audience (each A.1 or A.2 receiver)."""
    if audience is Audience.PROVIDER:
        return sorted(
            {
                r.receiving_provider_id or r.receiving_organisation
                for r in case.referrals
                if service is None or r.service_type is service
            }
        )
    if audience is Audience.RECEIVING_ORG:
        return sorted(
            {t.receiving_provider_id or t.receiving_organisation for t in case.transfers}
        )
    return []


@click.command("share")
@click.argument("cases_path", metavar="CASES.jsonl", type=click.Path(path_type=Path))
@click.option(
    "--audience",
    required=True,
    type=click.Choice([a.value for a in Audience]),
    help="Who receives the views.",
)
@click.option(
    "--purpose",
    required=True,
    type=click.Choice([p.value for p in Purpose]),
    help="Why they receive them.",
)
@click.option("--service", help="Requested service (provider referrals), e.g. health.")
@click.option("--actor", required=True, help="Identifier of the person disclosing.")
@click.option("--organisation", help="The actor's organisation (case conferences).")
@click.option(
    "--recipient", help="Receiving provider/organisation id (default: each one on file)."
)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the views (JSON Lines).",
)
@click.option(
    "--audit",
    "audit_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the audit records (default: OUT.audit.jsonl).",
)
@click.option(
    "--prior-audit",
    "prior_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Earlier audit logs (single-use consents already used). Repeatable.",
)
@click.option(
    "--policy",
    "policy_spec",
    default="mali-2020",
    show_default=True,
    help="Sharing policy name or TOML override file.",
)
@click.option("--now", "now_opt", type=click.DateTime(), help="Disclosure time (default: now).")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any case is refused.")
def share_command(
    cases_path: Path,
    audience: str,
    purpose: str,
    service: str | None,
    actor: str,
    organisation: str | None,
    recipient: str | None,
    output: Path,
    audit_path: Path | None,
    prior_paths: tuple[Path, ...],
    policy_spec: str,
    now_opt: dt.datetime | None,
    strict: bool,  # noqa: FBT001 - click flag
) -> None:
    """Write the views AUDIENCE may receive for PURPOSE, one per case (and receiver).

    Each disclosure also gets an audit record (who, audience, purpose, legal basis, fields, case
    code). Refused cases are counted by reason code on stderr; nothing is written for them.
    """
    aud = code_member(Audience, audience)
    pur = code_member(Purpose, purpose)
    svc = _service(service)
    policy = _policy(policy_spec)
    now = _aware(now_opt)
    prior = list(_read_audit(prior_paths))
    views: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    refused: Counter[str] = Counter()
    seen = 0
    for case in _read_cases(cases_path):
        seen += 1
        receivers: list[str | None] = [recipient] if recipient else [*_recipients(case, aud, svc)]
        if not receivers and aud in (Audience.PROVIDER, Audience.RECEIVING_ORG):
            refused[
                "no_referral_on_file" if aud is Audience.PROVIDER else "no_transfer_on_file"
            ] += 1
            continue
        for receiver in receivers or [None]:
            ctx = ConsentContext(
                actor_id=actor,
                actor_organisation_id=organisation,
                recipient_id=receiver,
                service=svc,
                prior_disclosures=tuple(prior),
            )
            try:
                view, record = share(case, aud, pur, consent_context=ctx, now=now, policy=policy)
            except SharingError as exc:
                refused[str(getattr(exc, "code", type(exc).__name__))] += 1
                continue
            views.append(view.to_json())
            audits.append(record.to_json())
            prior.append(record)
    audit_out = audit_path or output.with_name(output.name + ".audit.jsonl")
    _atomic_write(output, _jsonl(views))
    _atomic_write(audit_out, _jsonl(audits))
    detail = ", ".join(f"{code}: {n}" for code, n in sorted(refused.items()))
    click.echo(
        f"{len(views)} view(s) of {seen} case(s) written to {output}; "
        f"audit: {audit_out}; refused: {sum(refused.values())}"
        + (f" ({detail})" if detail else ""),
        err=True,
    )
    if strict and refused:
        raise SystemExit(1)


# --- indicators ---------------------------------------------------------------------------


_REQUESTER_BY_LEVEL = {
    ScopeLevel.ORG: Audience.ORG_MANAGER,
    ScopeLevel.REGION: Audience.REGIONAL,
    ScopeLevel.NATIONAL: Audience.NATIONAL,
}


def _requester(scope: Scope, as_spec: str | None) -> Requester:
    """``--as org_manager:ORG`` / ``regional:REGION`` / ``national``; default from the scope."""
    if as_spec is None:
        audience = _REQUESTER_BY_LEVEL[scope.level]
        if scope.level is ScopeLevel.ORG:
            return Requester(audience, organisation_id=scope.code)
        if scope.level is ScopeLevel.REGION:
            return Requester(audience, region=scope.code)
        return Requester(audience)
    kind, _, code = as_spec.partition(":")
    try:
        audience = code_member(Audience, kind)
    except ValueError:
        raise click.BadParameter(
            f"{as_spec!r}: expected org_manager:ORG, regional:REGION or national"
        ) from None
    if audience is Audience.ORG_MANAGER:
        return Requester(audience, organisation_id=code or None)
    if audience is Audience.REGIONAL:
        return Requester(audience, region=code or None)
    return Requester(audience)


def _sheet_xlsx(path: Path, sheet: MonthlySheet, policy: SharingPolicy) -> None:
    """The sheet as a workbook (aggregates only: no names, no case codes)."""
    from openpyxl import Workbook  # adapter dependency: imported only by this command

    wb = Workbook()
    about = wb.active
    assert about is not None  # noqa: S101 - a new workbook always has an active sheet
    about.title = "about"
    for pair in (
        ("scope", str(sheet.scope)),
        ("month", sheet.month),
        ("period", f"{sheet.period[0].isoformat()} – {sheet.period[1].isoformat()}"),
        ("policy", policy.profile.id),
        ("small-cell threshold", f"counts 1–{sheet.threshold - 1} hidden (x), with complements"),
        ("notes", ", ".join(sheet.notes) or "-"),
    ):
        about.append(list(pair))
    tables: tuple[tuple[str, list[tuple[str, ...]]], ...] = (
        ("indicators", sheet.rows()),
        ("compliance", sheet.compliance_rows()),
    )
    for title, rows in tables:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([int(v) if v.isdigit() else v for v in row])
        ws.freeze_panes = "A2"
    for ws in wb.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula

    def chunks() -> Iterator[bytes]:
        import io

        buffer = io.BytesIO()
        wb.save(buffer)
        yield buffer.getvalue()

    _atomic_write(path, chunks())


def _sheet_json(sheet: MonthlySheet) -> dict[str, Any]:
    return {
        "scope": str(sheet.scope),
        "month": sheet.month,
        "threshold": sheet.threshold,
        "notes": list(sheet.notes),
        "tables": [
            {
                "indicator": t.indicator.value,
                "breakdown": t.breakdown.value,
                "unit": t.unit,
                "rows": [*t.table.row_labels, "total"],
                "columns": [*t.table.col_labels, "total"],
                "values": [list(r) for r in t.table.values],
            }
            for t in sheet.tables
        ],
        "compliance": [
            {"step": c.step, "due": c.due, "met": c.met, "percent": c.percent}
            for c in sheet.compliance
        ],
    }


@click.command("indicators")
@click.argument("cases_path", metavar="CASES.jsonl", type=click.Path(path_type=Path))
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--scope", "scope_text", required=True, help="org:ORG, region:REGION or national.")
@click.option(
    "--as",
    "as_spec",
    help="Requester: org_manager:ORG, regional:REGION or national (default: from --scope).",
)
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Write a workbook.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON."
)
@click.option(
    "--policy",
    "policy_spec",
    default="mali-2020",
    show_default=True,
    help="Sharing policy name or TOML override file.",
)
def indicators_command(
    cases_path: Path,
    month: str,
    scope_text: str,
    as_spec: str | None,
    xlsx: Path | None,
    json_path: Path | None,
    policy_spec: str,
) -> None:
    """Monthly data sheet (SOP §8.2–§8.3) for a scope, with small cells suppressed.

    Prints the totals by sex and the deadline compliance; --xlsx/--json hold every table. The
    command has no login: --as states who the sheet is for, and the scope rules of the policy
    (an organisation sees only itself, SOP §6.3 L1195) are applied to that.
    """
    try:
        scope = Scope.parse(scope_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--scope") from None
    policy = _policy(policy_spec)
    requester = _requester(scope, as_spec)
    try:
        sheet = monthly_sheet_from_cases(
            _read_cases(cases_path), month, scope, requester=requester, policy=policy
        )
    except ScopeNotPermitted as exc:
        raise click.ClickException(f"{exc} [{exc.code}]") from None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    click.echo(
        f"Monthly sheet {sheet.month} — {sheet.scope} (x = suppressed, < {sheet.threshold})"
    )
    click.echo(
        f"{'indicator':<20} {'unit':<9} {'female':>7} {'male':>7} {'other':>7} "
        f"{'unknown':>7} {'total':>7}"
    )
    for t in sheet.tables:
        if t.breakdown.value != "age_band":
            continue
        cells = ["x" if v is None else str(v) for v in t.table.values[-1]]
        click.echo(f"{t.indicator.value:<20} {t.unit:<9} " + " ".join(f"{c:>7}" for c in cells))
    for c in sheet.compliance:
        pct = "x" if c.percent is None else f"{c.percent:.1f}%"
        due = "x" if c.due is None else str(c.due)
        click.echo(f"deadlines {c.step:<20} on time {pct:>7} of {due}")
    if sheet.notes:
        click.echo("notes: " + ", ".join(sheet.notes))
    if xlsx is not None:
        _sheet_xlsx(xlsx, sheet, policy)
        click.echo(f"workbook written to {xlsx}", err=True)
    if json_path is not None:
        _atomic_write(
            json_path, [json.dumps(_sheet_json(sheet), ensure_ascii=False, indent=1).encode()]
        )
        click.echo(f"JSON written to {json_path}", err=True)


def register(group: click.Group) -> None:
    """Add ``share`` and ``indicators`` to the ``cpcase`` command group."""
    group.add_command(share_command)
    group.add_command(indicators_command)


# --- demo ---------------------------------------------------------------------------------


def demo_sharing(cases_path: Path, out_dir: Path, *, month: str | None = None) -> str:
    """``make demo`` step: monthly sheet, meeting export, and a referral shared once.

    Reads the demo's ``cases.jsonl`` (never modified), writes ``indicators.xlsx``,
    ``meeting.jsonl`` (+ audit) and ``provider.jsonl`` (+ audit) into ``out_dir`` and returns
    the lines to print. The referral is added in memory to the first registered case: a
    synthetic single-use consent and an A.1 to a health provider; sharing it a second time is
    refused (course fixture N22). Deterministic: no wall clock.
    """
    from cpcase.forms import ConsentForm, Referral
    from cpcase.rules.sharing import MissingConsent

    cases = list(_read_cases(cases_path))
    registered = [c for c in cases if c.registration is not None]
    if not registered:
        raise click.ClickException(f"{cases_path}: no registered case to demonstrate with")
    policy = load_sharing_policy("mali-2020")
    if month is None:
        latest = max(c.registration.registration_date for c in registered if c.registration)
        month = f"{latest.year:04d}-{latest.month:02d}"
    org = registered[0].organisation_id
    scope = Scope.parse(f"org:{org}")
    sheet = monthly_sheet_from_cases(
        cases, month, scope, requester=Requester(Audience.ORG_MANAGER, organisation_id=org)
    )
    _sheet_xlsx(out_dir / "indicators.xlsx", sheet, policy)
    active = sheet.table(*_ACTIVE).values[-1][-1]
    lines = [
        f"indicators {month} {scope}: active caseload {active if active is not None else 'x'}, "
        f"{sum(v is None for t in sheet.tables for r in t.table.values for v in r)} cell(s) "
        f"suppressed -> {out_dir / 'indicators.xlsx'}"
    ]

    views, audits = [], []
    for case in cases:
        if case.organisation_id != org:
            continue
        ctx = ConsentContext(actor_id=case.caseworker_id or "demo", actor_organisation_id=org)
        view, record = share(
            case,
            Audience.MEETING,
            Purpose.CASE_CONFERENCE,
            consent_context=ctx,
            now=_demo_now(case),
            policy=policy,
        )
        views.append(view.to_json())
        audits.append(record.to_json())
    _atomic_write(out_dir / "meeting.jsonl", _jsonl(views))
    _atomic_write(out_dir / "meeting.audit.jsonl", _jsonl(audits))
    lines.append(
        f"case conference: {len(views)} anonymised view(s) -> {out_dir / 'meeting.jsonl'}"
    )

    case = registered[0]
    reg = case.registration
    assert reg is not None  # noqa: S101 - filtered above
    day = reg.registration_date + dt.timedelta(days=1)
    header = {"case_code": case.case_code, "form_date": day, "organisation_id": org}
    consent = ConsentForm.model_validate(
        {
            **header,
            "entry_id": "DEMO-1A",
            "consent_date": day,
            "consent_mode": "written_form",
            "givers": [
                {"relationship": "child", "agreed": True},
                {"relationship": "legal_guardian", "agreed": True},
            ],
            "information_explained": True,
            "consent_scope": ["referral_to_services"],
            "recipients": ["other_organizations"],
            "single_use": True,
        },
        context={"today": day},
    )
    referral = Referral.model_validate(
        {
            **header,
            "entry_id": "DEMO-A1",
            "referral_date": day,
            "referring_caseworker_phone": "+223 70 00 00 00",
            "family_contact_relationship": "tuteur",
            "family_contact_phone": "+223 60 00 00 00",
            "receiving_organisation": "Centre de santé (démo)",
            "receiving_provider_id": "SP-DEMO-SANTE",
            "service_type": "health_care",
            "consent_for_services": True,
            "disclosure_other_orgs": True,
            "consent_form_ref": "DEMO-1A",
        },
        context={"today": day},
    )
    demo_case = case.with_form(consent).with_form(referral)
    now = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    ctx = ConsentContext(actor_id=case.caseworker_id or "demo", recipient_id="SP-DEMO-SANTE")
    view, record = share(
        demo_case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=now
    )
    _atomic_write(out_dir / "provider.jsonl", _jsonl([view.to_json()]))
    _atomic_write(out_dir / "provider.audit.jsonl", _jsonl([record.to_json()]))
    lines.append(
        f"referral {case.case_code} -> SP-DEMO-SANTE: {len(record.fields_disclosed)} field(s), "
        f"basis {record.legal_basis.value if record.legal_basis else '-'} "
        f"(consent {record.consent_id}) -> {out_dir / 'provider.jsonl'}"
    )
    again = ConsentContext(
        actor_id=ctx.actor_id, recipient_id="SP-DEMO-SANTE", prior_disclosures=(record,)
    )
    try:
        share(demo_case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=again, now=now)
    except MissingConsent as exc:
        lines.append(f"second referral with the same single-use consent: refused ({exc.code})")
    else:  # pragma: no cover - would be a bug in the rules
        raise click.ClickException("a single-use consent was accepted twice")
    return "\n".join(lines)


_ACTIVE = (Indicator.ACTIVE_CASELOAD, Breakdown.AGE_BAND)


def _demo_now(case: CaseFile) -> dt.datetime:
    """A fixed disclosure time after the file's last form (demo output never changes)."""
    last = max((f.form_date for f in case.forms()), default=dt.date(2020, 1, 1))
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
