"""``cpcase archive ...``: encrypted case archives (age format) from the command line.

Secrets never travel in argv: passphrases come from a hidden prompt (``--passphrase``), an
environment variable (``--passphrase-env VAR``) or a file (``--passphrase-file F``), and private
keys from identity files (``-i key.txt``). Public keys (``-r age1...``) are not secret.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from cpcase.errors import CpcaseError

if TYPE_CHECKING:  # the adapters are imported lazily so that `cpcase --help` stays fast
    from cpcase.adapters.age import Identity
    from cpcase.adapters.archive import ArchiveManifest

__all__ = ["register"]

P = ParamSpec("P")
R = TypeVar("R")


def _friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn cpcase and OS errors into one-line messages (exit status 1), never tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CpcaseError as exc:
            raise click.ClickException(f"{exc} [{type(exc).__name__}]") from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None

    return wrapper


def _read_passphrase(
    *, prompt: bool, env: str | None, file: Path | None, confirm: bool
) -> str | None:
    chosen = sum((prompt, env is not None, file is not None))
    if chosen > 1:
        raise click.UsageError(
            "use only one of --passphrase, --passphrase-env and --passphrase-file"
        )
    if env is not None:
        value = os.environ.get(env, "")
        if not value:
            raise click.UsageError(f"environment variable {env} is not set or empty")
        return value
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"{file}: cannot read the passphrase file ({exc})") from None
        value = text.split("\n", 1)[0].removesuffix("\r")
        if not value:
            raise click.UsageError(f"{file}: the first line (the passphrase) is empty")
        return value
    if prompt:
        value = click.prompt(
            "Passphrase", hide_input=True, confirmation_prompt=confirm, err=True, type=str
        )
        if not value:
            raise click.UsageError("the passphrase is empty")
        return str(value)
    return None


def _passphrase_options(func: Callable[P, R]) -> Callable[P, R]:
    for option in reversed(
        [
            click.option(
                "--passphrase", "passphrase_prompt", is_flag=True, help="Prompt for a passphrase."
            ),
            click.option(
                "--passphrase-env",
                metavar="VAR",
                help="Read the passphrase from environment variable VAR.",
            ),
            click.option(
                "--passphrase-file",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Read the passphrase from the first line of this file.",
            ),
        ]
    ):
        func = option(func)
    return func


def _identity_options(func: Callable[P, R]) -> Callable[P, R]:
    for option in reversed(
        [
            click.option(
                "-i",
                "--identity",
                "identity_files",
                multiple=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Identity (private key) file, as written by `keygen` or age-keygen.",
            ),
            click.option(
                "--max-work-factor",
                type=click.IntRange(1, 22),
                default=None,
                help="Highest scrypt work factor (log2) accepted for passphrase archives "
                "[default: 20].",
            ),
        ]
    ):
        func = option(func)
    return _passphrase_options(func)


def _identities(
    identity_files: tuple[Path, ...],
    passphrase_prompt: bool,  # noqa: FBT001 - forwarded click flag
    passphrase_env: str | None,
    passphrase_file: Path | None,
    max_work_factor: int | None,
) -> list[Identity]:
    from cpcase.adapters.age import DEFAULT_MAX_WORK_FACTOR, ScryptIdentity, read_identity_file

    identities: list[Identity] = []
    for path in identity_files:
        identities.extend(read_identity_file(path))
    passphrase = _read_passphrase(
        prompt=passphrase_prompt, env=passphrase_env, file=passphrase_file, confirm=False
    )
    if passphrase is not None:
        identities.append(
            ScryptIdentity(passphrase, max_work_factor=max_work_factor or DEFAULT_MAX_WORK_FACTOR)
        )
    if not identities:
        raise click.UsageError(
            "give an identity file (-i key.txt) or a passphrase "
            "(--passphrase, --passphrase-env VAR or --passphrase-file F)"
        )
    return identities


@click.group("archive")
def archive_group() -> None:
    """Encrypted case archives in the age format (open them with `age -d` too)."""


@archive_group.command("keygen")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Identity file to write (mode 0600).",
)
@click.option(
    "--post-quantum",
    is_flag=True,
    help="ML-KEM-768+X25519 hybrid key (needs age >= 1.3 to open with age).",
)
@click.option("--force", is_flag=True, help="Replace an existing identity file.")
@_friendly
def keygen_cmd(output: Path, *, post_quantum: bool, force: bool) -> None:
    """Generate an identity (private key) file and print its public key (age1...)."""
    from cpcase.adapters.age import generate_identity, write_identity_file

    identity = generate_identity(post_quantum=post_quantum)
    write_identity_file(output, [identity], created=dt.datetime.now(dt.UTC), overwrite=force)
    click.echo(f"Public key: {identity.recipient}")
    click.echo(
        f"Wrote {output} (mode 0600). Keep it secret and back it up: without it, archives "
        "encrypted to this key cannot be opened.",
        err=True,
    )


@archive_group.command("create")
@click.argument("cases_jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument(
    "attachments_dir",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Archive to write, e.g. closed-2026.cpcase.age.",
)
@click.option(
    "-r", "--recipient", "recipients", multiple=True, help="Public key age1... (repeatable)."
)
@click.option(
    "-R",
    "--recipients-file",
    "recipient_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File of public keys, one per line (repeatable).",
)
@_passphrase_options
@click.option(
    "--work-factor",
    type=click.IntRange(10, 22),
    default=18,
    show_default=True,
    help="scrypt work factor (log2) for passphrase archives.",
)
@click.option("--organisation", help="Organisation code recorded in the manifest.")
@click.option(
    "--retain-years",
    type=click.IntRange(0, 100),
    help="Keep the archive this many years (sets retain_until).",
)
@click.option(
    "--retain-until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Keep the archive until this date (YYYY-MM-DD).",
)
@click.option("--armor", is_flag=True, help="ASCII-armored output (for e-mail or paper).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@_friendly
def create_cmd(
    cases_jsonl: Path,
    attachments_dir: Path | None,
    output: Path,
    recipients: tuple[str, ...],
    recipient_files: tuple[Path, ...],
    passphrase_prompt: bool,  # noqa: FBT001 - click flag
    passphrase_env: str | None,
    passphrase_file: Path | None,
    work_factor: int,
    organisation: str | None,
    retain_years: int | None,
    retain_until: dt.datetime | None,
    *,
    armor: bool,
    force: bool,
) -> None:
    """Archive CASES_JSONL (one case file per line) and optional ATTACHMENTS_DIR."""
    from cpcase.adapters.age import (
        Recipient,
        ScryptRecipient,
        parse_recipient,
        read_recipients_file,
    )
    from cpcase.adapters.archive import create_archive, retain_until_after

    if retain_years is not None and retain_until is not None:
        raise click.UsageError("use --retain-years or --retain-until, not both")
    keys: list[Recipient] = [parse_recipient(r) for r in recipients]
    for path in recipient_files:
        keys.extend(read_recipients_file(path))
    passphrase = _read_passphrase(
        prompt=passphrase_prompt, env=passphrase_env, file=passphrase_file, confirm=True
    )
    if passphrase is not None and keys:
        raise click.UsageError("a passphrase cannot be combined with -r/-R recipients")
    if passphrase is not None:
        keys = [ScryptRecipient(passphrase, work_factor=work_factor)]
    if not keys:
        raise click.UsageError(
            "give recipients (-r age1... or -R recipients.txt) or a passphrase "
            "(--passphrase, --passphrase-env VAR or --passphrase-file F)"
        )
    now = dt.datetime.now(dt.UTC)
    until = retain_until.date() if retain_until is not None else None
    if retain_years is not None:
        until = retain_until_after(now, retain_years)
    summary = create_archive(
        cases_jsonl,
        output,
        keys,
        created_at=now,
        attachments_dir=attachments_dir,
        organisation=organisation,
        retain_until=until,
        armor=armor,
        overwrite=force,
    )
    manifest = summary.manifest
    click.echo(
        f"Archived {manifest.case_count} cases and {len(manifest.entries) - 1} attachments "
        f"({manifest.total_size} bytes) to {summary.path} ({summary.archive_size} bytes)"
        + (f"; retain until {manifest.retain_until}" if manifest.retain_until else "")
    )


def _manifest_lines(manifest: ArchiveManifest, *, today: dt.date) -> list[str]:
    lines = [
        f"Format:        {manifest.format} v{manifest.format_version} ({manifest.generator})",
        f"Created:       {manifest.created_at.isoformat()}",
        f"Organisation:  {manifest.organisation or '-'}",
        f"Retain until:  {manifest.retain_until or '-'}",
        f"Cases:         {manifest.case_count}",
        f"Entries:       {len(manifest.entries)} ({manifest.total_size} bytes)",
    ]
    if manifest.retain_until is not None and manifest.retain_until < today:
        lines.append("Note: the retention period has ended; apply your destruction policy.")
    return lines


@archive_group.command("list")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_identity_options
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@_friendly
def list_cmd(
    archive: Path,
    identity_files: tuple[Path, ...],
    max_work_factor: int | None,
    passphrase_prompt: bool,  # noqa: FBT001 - click flag
    passphrase_env: str | None,
    passphrase_file: Path | None,
    *,
    as_json: bool,
) -> None:
    """Show the manifest: cases, entries and retention (reads only the archive's start)."""
    from cpcase.adapters.archive import read_manifest

    ids = _identities(
        identity_files, passphrase_prompt, passphrase_env, passphrase_file, max_work_factor
    )
    manifest = read_manifest(archive, ids)
    if as_json:
        click.echo(manifest.to_json_bytes().decode("utf-8"), nl=False)
        return
    for line in _manifest_lines(manifest, today=dt.datetime.now(dt.UTC).date()):
        click.echo(line)
    for code in manifest.case_codes:
        click.echo(f"  case {code}")
    for entry in manifest.entries:
        click.echo(f"  {entry.size:>12}  {entry.sha256[:16]}  {entry.path}")


@archive_group.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_identity_options
@_friendly
def verify_cmd(
    archive: Path,
    identity_files: tuple[Path, ...],
    max_work_factor: int | None,
    passphrase_prompt: bool,  # noqa: FBT001 - click flag
    passphrase_env: str | None,
    passphrase_file: Path | None,
) -> None:
    """Decrypt everything and check every hash, writing no plaintext to disk."""
    from cpcase.adapters.archive import verify_archive

    ids = _identities(
        identity_files, passphrase_prompt, passphrase_env, passphrase_file, max_work_factor
    )
    report = verify_archive(archive, ids)
    click.echo(
        f"OK: {archive} decrypts and authenticates; {report.entries_verified} entries "
        f"({report.bytes_verified} bytes) match the manifest; "
        f"{report.manifest.case_count} cases"
    )
    for line in _manifest_lines(report.manifest, today=dt.datetime.now(dt.UTC).date()):
        click.echo(line)


@archive_group.command("extract")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="New directory to create (must not exist).",
)
@_identity_options
@click.option(
    "--max-entry-size",
    type=click.IntRange(1),
    default=2048,
    show_default=True,
    help="Largest entry to extract, in MiB.",
)
@_friendly
def extract_cmd(
    archive: Path,
    output: Path,
    identity_files: tuple[Path, ...],
    max_work_factor: int | None,
    passphrase_prompt: bool,  # noqa: FBT001 - click flag
    passphrase_env: str | None,
    passphrase_file: Path | None,
    max_entry_size: int,
) -> None:
    """Extract into a new directory, all or nothing, refusing unsafe entries."""
    from cpcase.adapters.archive import extract_archive

    ids = _identities(
        identity_files, passphrase_prompt, passphrase_env, passphrase_file, max_work_factor
    )
    report = extract_archive(archive, output, ids, max_entry_size=max_entry_size * 1024**2)
    click.echo(
        f"Extracted {len(report.files)} files ({report.manifest.case_count} cases) "
        f"to {report.directory}"
    )


def register(group: click.Group) -> None:
    """Add the ``archive`` command group to the ``cpcase`` command line."""
    group.add_command(archive_group)
