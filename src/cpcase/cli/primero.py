"""``cpcase push``, ``cpcase pull``, ``cpcase fake-primero`` and ``cpcase primero check``.

Passwords never come from the command line (argv is visible to every user of the machine):
they are read from an environment variable (``--password-env``), a private file
(``--password-file``) or a hidden prompt.

Exit codes: 0 success; 1 some records failed; 2 usage error; 3 push refused or stopped (data
would be lost, credentials refused, server unreachable).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from cpcase.adapters.primero.client import PrimeroClient
    from cpcase.adapters.primero.mapping import PrimeroMapping
    from cpcase.adapters.primero.push import PushOutcome
    from cpcase.case import CaseFile

__all__ = ["register"]

EXIT_FAILURES = 1
EXIT_REFUSED = 3


def _connection_options(func: Any) -> Any:
    options = [
        click.option(
            "--url", required=True, help="Primero base URL, e.g. https://cpims.example.org"
        ),
        click.option("--user", required=True, help="Service-account user name."),
        click.option(
            "--password-env",
            metavar="VAR",
            help="Read the password from environment variable VAR.",
        ),
        click.option(
            "--password-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Read the password from the first line of this file (chmod 600).",
        ),
        click.option(
            "--auth",
            "auth_kind",
            type=click.Choice(["basic", "bearer", "token"]),
            default="basic",
            show_default=True,
            help="basic: service account (all versions); bearer: identity-provider token from "
            "--token-env; token: legacy JWT login, Primero <= v2.10 only.",
        ),
        click.option("--token-env", metavar="VAR", help="Bearer token variable (--auth bearer)."),
        click.option(
            "--timeout",
            type=float,
            default=30.0,
            show_default=True,
            help="Read timeout per request, seconds (connect timeout: 10 s).",
        ),
        click.option(
            "--rate-limit",
            type=float,
            default=None,
            help="At most this many requests per second (stay under the server's 429 limit).",
        ),
        click.option(
            "--allow-http",
            is_flag=True,
            help="Allow plain http:// to a non-loopback server (credentials and child data "
            "would travel unencrypted).",
        ),
        click.option(
            "--mapping",
            "mapping_file",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="Deployment mapping TOML merged over the CPIMS+ interagency defaults.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _password(user: str, password_env: str | None, password_file: Path | None) -> Any:
    from cpcase.adapters.primero.auth import Secret, read_password

    if password_env and password_file:
        raise click.UsageError("give --password-env or --password-file, not both")
    if password_env:
        return read_password(env=password_env)
    if password_file:
        return read_password(file=password_file)
    if not sys.stdin.isatty():
        raise click.UsageError(
            "no password: use --password-env VAR or --password-file FILE (never on the command line)"
        )
    return Secret(click.prompt(f"Password for {user}", hide_input=True, err=True))


def _client(
    *,
    url: str,
    user: str,
    password_env: str | None,
    password_file: Path | None,
    auth_kind: str,
    token_env: str | None,
    timeout: float,
    rate_limit: float | None,
    pool: int,
    module_id: str,
    allow_http: bool = False,
) -> PrimeroClient:
    import os
    from urllib.parse import urlsplit

    from cpcase.adapters.primero.auth import (
        BasicAuth,
        BearerAuth,
        LegacyTokenAuth,
        supports_legacy_tokens,
    )
    from cpcase.adapters.primero.client import PrimeroClient
    from cpcase.adapters.primero.transport import RequestsTransport

    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme == "http" and not loopback and not allow_http:
        raise click.UsageError(
            "refusing plain http:// to a remote server: use https:// (or --allow-http for a "
            "test server; passwords and child data would travel unencrypted)"
        )
    transport = RequestsTransport(pool_maxsize=max(4, pool))

    def build(auth: Any) -> PrimeroClient:
        return PrimeroClient(
            base_url=url,
            auth=auth,
            transport=transport,
            timeout=(10.0, timeout),
            rate_limit=rate_limit,
            module_id=module_id,
        )

    if auth_kind == "bearer":
        if not token_env or not os.environ.get(token_env):
            raise click.UsageError("--auth bearer needs --token-env VAR naming a set variable")
        return build(BearerAuth(os.environ[token_env]))
    password = _password(user, password_env, password_file)
    basic = build(BasicAuth(user, password))
    if auth_kind == "basic":
        return basic
    version = basic.system_version()
    if not supports_legacy_tokens(version):
        raise click.UsageError(
            f"this server runs Primero {version}: native JWT login was removed in v2.11; "
            "use --auth basic with a service account"
        )
    return build(LegacyTokenAuth(user, password))


def _mapping(mapping_file: Path | None) -> PrimeroMapping:
    from cpcase.adapters.primero.mapping import load_mapping

    return load_mapping(mapping_file)


def _fail(message: str, code: int = EXIT_REFUSED) -> None:
    click.echo(message, err=True)
    raise SystemExit(code)


# --------------------------------------------------------------------------------------------
# push


@click.command("push")
@click.argument("cases", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_connection_options
@click.option(
    "--dry-run", is_flag=True, help="Show what would be created or changed; write nothing."
)
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Push journal (SQLite) for resuming; default: CASES.primero-journal.sqlite.",
)
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write failed records (JSON lines); default: CASES.primero-failures.jsonl.",
)
@click.option(
    "--allow-drop",
    "allow_drop",
    multiple=True,
    metavar="FIELD",
    help="Accept that FIELD is not stored (a Primero field, or a cpcase path with no CPIMS+ "
    "option). Repeatable.",
)
@click.option("--verify", is_flag=True, help="Re-read each created record and check every field.")
@click.option("--force", is_flag=True, help="Push again records the journal marks confirmed.")
def push_cmd(
    cases: Path,
    url: str,
    user: str,
    password_env: str | None,
    password_file: Path | None,
    auth_kind: str,
    token_env: str | None,
    timeout: float,
    rate_limit: float | None,
    mapping_file: Path | None,
    workers: int,
    journal: Path | None,
    failures: Path | None,
    allow_drop: tuple[str, ...],
    *,
    allow_http: bool,
    dry_run: bool,
    verify: bool,
    force: bool,
) -> None:
    """Push CASES (JSON lines of case files, or of {"data": ...} bodies) to Primero.

    Each record is upserted (create with its deterministic id; if it exists, only the
    difference is sent), so running a push twice changes nothing. The journal lets an
    interrupted push resume where it stopped. Before any write, the server's forms and lookups
    are loaded and the push refuses to run if Primero would silently drop a field.
    """
    from cpcase.adapters.primero.errors import PrimeroSchemaError
    from cpcase.adapters.primero.journal import Journal
    from cpcase.adapters.primero.push import (
        PushAction,
        PushRecord,
        map_for_push,
        push_records,
        read_push_input,
        write_jsonl_atomic,
    )
    from cpcase.adapters.primero.schema import CaseSchema
    from cpcase.errors import PrimeroError

    mapping = _mapping(mapping_file)
    try:
        case_files, bodies = read_push_input(cases, mapping=mapping)
        mapped = map_for_push(case_files, mapping=mapping, allow_drop=allow_drop)
    except PrimeroError as exc:
        _fail(str(exc))
    records = [PushRecord(mc.key, mc.body, mc.clearable) for mc in mapped] + bodies
    client = _client(
        url=url,
        user=user,
        password_env=password_env,
        password_file=password_file,
        auth_kind=auth_kind,
        token_env=token_env,
        timeout=timeout,
        rate_limit=rate_limit,
        pool=workers,
        module_id=mapping.module_id,
        allow_http=allow_http,
    )
    journal_path = journal or cases.with_name(cases.name + ".primero-journal.sqlite")
    failures_path = failures or cases.with_name(cases.name + ".primero-failures.jsonl")
    bar: Any = None
    lines: list[str] = []

    def on_outcome(outcome: PushOutcome) -> None:
        if dry_run:
            fields = f" ({', '.join(outcome.fields)})" if outcome.fields else ""
            lines.append(f"{outcome.action.label('en').lower():<24} {outcome.key}{fields}")
        if bar is not None:
            bar.update(1)

    with client:
        try:
            schema = CaseSchema.load(client, user_name=user)
            book = (
                None if dry_run else Journal(journal_path, server=url, module_id=mapping.module_id)
            )
            try:
                if sys.stderr.isatty() and not dry_run:
                    bar = click.progressbar(length=len(records), label="push", file=sys.stderr)
                    bar.__enter__()
                summary = push_records(
                    client,
                    records,
                    journal=book,
                    schema=schema,
                    allow_drop=allow_drop,
                    workers=workers,
                    dry_run=dry_run,
                    verify=verify,
                    force=force,
                    on_outcome=on_outcome,
                )
            finally:
                if bar is not None:
                    bar.__exit__(None, None, None)
                if book is not None:
                    book.close()
        except PrimeroSchemaError as exc:
            _fail(str(exc))
        except PrimeroError as exc:
            _fail(f"push stopped: {exc}")
    for line in sorted(lines):
        click.echo(line)
    click.echo(summary.render(), err=True)
    failed = summary.failed
    if failed and not dry_run:
        write_jsonl_atomic(
            failures_path,
            (
                {
                    "key": o.key,
                    "record_id": o.record_id,
                    "error_code": o.error_code,
                    "message": o.message,
                    "fields": list(o.fields),
                }
                for o in failed
            ),
        )
        click.echo(f"{len(failed)} failed record(s) listed in {failures_path}", err=True)
    if not dry_run:
        click.echo(f"journal: {journal_path} (rerun the same command to resume)", err=True)
    if summary.aborted:
        raise SystemExit(EXIT_REFUSED)
    if any(o.action is PushAction.FAILED for o in summary.outcomes):
        raise SystemExit(EXIT_FAILURES)


# --------------------------------------------------------------------------------------------
# pull


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            "use YYYY-MM-DD or an ISO date-time", param_hint="--since"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@click.command("pull")
@_connection_options
@click.option("--since", help="Only cases updated since this date (YYYY-MM-DD or ISO date-time).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the case files (JSON lines).",
)
@click.option(
    "--base",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Local case files (JSON lines) that Primero's values update.",
)
def pull_cmd(
    url: str,
    user: str,
    password_env: str | None,
    password_file: Path | None,
    auth_kind: str,
    token_env: str | None,
    timeout: float,
    rate_limit: float | None,
    mapping_file: Path | None,
    since: str | None,
    output: Path,
    base: Path | None,
    *,
    allow_http: bool,
) -> None:
    """Pull the CP cases of Primero into case files (JSON lines), nothing left out.

    Fields cpcase does not model are kept in each file's extra_fields["primero"].
    """
    from cpcase.adapters.primero.pull import pull_to_jsonl
    from cpcase.adapters.primero.push import read_push_input
    from cpcase.errors import PrimeroError

    mapping = _mapping(mapping_file)
    local: list[CaseFile] = []
    if base is not None:
        try:
            local, _ = read_push_input(base, mapping=mapping)
        except PrimeroError as exc:
            _fail(str(exc), 2)
    client = _client(
        url=url,
        user=user,
        password_env=password_env,
        password_file=password_file,
        auth_kind=auth_kind,
        token_env=token_env,
        timeout=timeout,
        rate_limit=rate_limit,
        pool=4,
        module_id=mapping.module_id,
        allow_http=allow_http,
    )
    today = dt.datetime.now(dt.UTC).date()
    with client:
        try:
            summary = pull_to_jsonl(
                client, output, today=today, since=_since(since), base=local, mapping=mapping
            )
        except PrimeroError as exc:
            _fail(f"pull stopped: {exc}")
    click.echo(summary.render(), err=True)
    click.echo(f"written to {output}", err=True)


# --------------------------------------------------------------------------------------------
# fake-primero


@click.command("fake-primero")
@click.option("--port", type=click.IntRange(0, 65535), default=3000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address only.")
@click.option("--version", "version", default="2.15.2.1", show_default=True)
@click.option("--latency", type=float, default=0.0, help="Milliseconds added to every request.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option(
    "--fault-kinds",
    default="500,502,503,429,drop,drop_after,slow",
    show_default=True,
    help="Comma-separated fault kinds.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Fault-injection seed.")
@click.option(
    "--rate-limit",
    metavar="N/SECONDS",
    help="Answer 429 beyond N requests per SECONDS (e.g. 300/60).",
)
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def fake_primero_cmd(
    port: int,
    host: str,
    version: str,
    latency: float,
    fault_rate: float,
    fault_kinds: str,
    seed: int,
    rate_limit: str | None,
    *,
    quiet: bool,
) -> None:
    """Run a fake Primero v2 server on loopback (for demos and downstream tests).

    It answers like Primero: Basic auth, paginated lists and filters, creates with 204/409/422,
    fields it does not know silently dropped, PATCH merges of subforms, consent-gated referrals
    and transfers, /forms and /lookups, and seeded fault injection.
    """
    from cpcase.adapters.primero.fake import (
        DEFAULT_PASSWORD,
        DEFAULT_USER,
        FakePrimero,
        FakePrimeroServer,
        Faults,
    )

    limit = None
    if rate_limit:
        try:
            count, _, period = rate_limit.partition("/")
            limit = (int(count), float(period or 60))
        except ValueError:
            raise click.BadParameter(
                "use N/SECONDS, e.g. 300/60", param_hint="--rate-limit"
            ) from None
    try:
        faults = Faults(
            rate=fault_rate,
            kinds=tuple(k.strip() for k in fault_kinds.split(",") if k.strip()),
            latency=latency / 1000.0,
            seed=seed,
        )
        server = FakePrimeroServer(
            FakePrimero(version=version, faults=faults, rate_limit=limit),
            host=host,
            port=port,
            log=None if quiet else (lambda line: click.echo(line, err=True)),
        )
    except (ValueError, OSError) as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"fake Primero {version} listening on {server.url}", err=True)
    click.echo(
        f"  user {DEFAULT_USER}, password {DEFAULT_PASSWORD} (fixture credentials)", err=True
    )
    click.echo(server.url)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


# --------------------------------------------------------------------------------------------
# primero check


@click.group("primero")
def primero_group() -> None:
    """CPIMS+/Primero helpers."""


@primero_group.command("check")
@click.argument("cases", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_connection_options
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
def check_cmd(
    cases: Path,
    url: str,
    user: str,
    password_env: str | None,
    password_file: Path | None,
    auth_kind: str,
    token_env: str | None,
    timeout: float,
    rate_limit: float | None,
    mapping_file: Path | None,
    *,
    allow_http: bool,
    as_json: bool,
) -> None:
    """Check CASES against the server's forms and lookups; write nothing.

    Reports every value without a CPIMS+ option, every field Primero would silently drop and
    every value it would reject (422).
    """
    from cpcase.adapters.primero.mapping import map_case
    from cpcase.adapters.primero.push import read_push_input
    from cpcase.adapters.primero.schema import CaseSchema
    from cpcase.errors import PrimeroError

    mapping = _mapping(mapping_file)
    try:
        case_files, bodies = read_push_input(cases, mapping=mapping)
    except PrimeroError as exc:
        _fail(str(exc), 2)
    mapped = [map_case(c, mapping) for c in case_files]
    client = _client(
        url=url,
        user=user,
        password_env=password_env,
        password_file=password_file,
        auth_kind=auth_kind,
        token_env=token_env,
        timeout=timeout,
        rate_limit=rate_limit,
        pool=2,
        module_id=mapping.module_id,
        allow_http=allow_http,
    )
    with client:
        try:
            schema = CaseSchema.load(client, user_name=user)
        except PrimeroError as exc:
            _fail(f"check stopped: {exc}")
    pairs = [(mc.key, mc.body) for mc in mapped] + [(b.key, b.body) for b in bodies]
    report = schema.check_many(pairs)
    gaps = [(mc.key, g) for mc in mapped for g in mc.gaps]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "gaps": [
                        {"key": k, "path": g.path, "code": g.code, "pointer": g.pointer}
                        for k, g in gaps
                    ],
                    "issues": [
                        {
                            "key": i.key,
                            "pointer": i.pointer,
                            "field": i.field,
                            "code": i.code.value,
                            "expected": i.expected,
                            "loses_data": i.code.loses_data,
                            "rejects_record": i.code.rejects_record,
                        }
                        for i in report.issues
                    ],
                    "permissions_known": report.permissions_known,
                },
                indent=2,
            )
        )
    else:
        for key, gap in gaps:
            click.echo(f"gap   {key}: {gap.path} = {gap.code}: no CPIMS+ option")
        click.echo(report.render())
    problems = bool(gaps) or any(i.code.loses_data or i.code.rejects_record for i in report.issues)
    raise SystemExit(EXIT_FAILURES if problems else 0)


def register(group: click.Group) -> None:
    """Add ``push``, ``pull``, ``fake-primero`` and ``primero check`` to the ``cpcase`` CLI."""
    group.add_command(push_cmd)
    group.add_command(pull_cmd)
    group.add_command(fake_primero_cmd)
    group.add_command(primero_group)
