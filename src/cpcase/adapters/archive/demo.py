"""``demo_archive``: archive the demo's cases and verify the result (for ``make demo``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cpcase.adapters.age import X25519Identity, write_identity_file
from cpcase.adapters.archive.create import create_archive
from cpcase.adapters.archive.manifest import retain_until_after
from cpcase.adapters.archive.read import verify_archive

__all__ = ["demo_archive"]


def demo_archive(
    cases_jsonl: Path,
    out_dir: Path,
    *,
    organisation: str | None = None,
    retain_years: int = 10,
    created_at: dt.datetime | None = None,
) -> str:
    """Create a key, archive ``cases_jsonl`` into ``out_dir``, verify it; return a summary.

    Writes ``out_dir/archive-key.txt`` (identity, mode 0600) and
    ``out_dir/cases.cpcase.age``; both are replaced if they exist (demo output only).
    """
    now = created_at or dt.datetime.now(dt.UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    identity = X25519Identity.generate()
    key_file = out_dir / "archive-key.txt"
    write_identity_file(key_file, [identity], created=now, overwrite=True)
    archive = out_dir / "cases.cpcase.age"
    summary = create_archive(
        cases_jsonl,
        archive,
        [identity.recipient],
        created_at=now,
        organisation=organisation,
        retain_until=retain_until_after(now, retain_years),
        overwrite=True,
    )
    report = verify_archive(archive, [identity])
    manifest = report.manifest
    return (
        f"archived {manifest.case_count} cases to {archive} "
        f"({summary.archive_size} bytes, retain until {manifest.retain_until}); "
        f"verified {report.entries_verified} entries, {report.bytes_verified} bytes; "
        f"open with: age -d -i {key_file} {archive} | tar -tv"
    )
