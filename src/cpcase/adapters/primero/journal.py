"""The push journal: one SQLite row per record, so an interrupted push resumes where it stopped.

States follow the life of one record through a push::

    pending ──► sent ──► confirmed          (created / updated / unchanged)
       │          └────► failed + error     (422, 403, retries exhausted...)
       └───────────────► failed

A record is ``sent`` just before the first write request leaves; ``confirmed`` only after
Primero acknowledged it. On resume, ``confirmed`` records whose content digest is unchanged are
skipped; everything else (``pending``, ``sent``, ``failed``, or changed since) is pushed again,
which is safe because every write is an idempotent upsert (deterministic ids, 409 -> diff).

The journal holds case codes, record UUIDs, content digests, error codes and messages that name
fields, never names or field values. It uses the standard library's ``sqlite3`` in WAL mode;
each state change is committed at once so a killed process loses nothing.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import attrs

from cpcase.adapters.primero.errors import PrimeroJournalError

__all__ = ["Journal", "JournalEntry", "State"]

State = Literal["pending", "sent", "confirmed", "failed"]
STATES: tuple[State, ...] = ("pending", "sent", "confirmed", "failed")

_SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    key        TEXT PRIMARY KEY,
    record_id  TEXT NOT NULL,
    digest     TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'confirmed', 'failed')),
    action     TEXT,
    error_code TEXT,
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_state ON records (state);
"""


@attrs.frozen
class JournalEntry:
    """One record's row: ``key`` is the case code, ``record_id`` Primero's ``data.id``."""

    key: str
    record_id: str
    digest: str
    state: State
    action: str | None
    error_code: str | None
    error: str | None
    attempts: int
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Journal:
    """A push journal bound to one server URL and module (thread-safe).

    Opening a journal written for another server raises :class:`PrimeroJournalError`, so a
    resume can never skip records that only reached a different Primero.
    """

    def __init__(self, path: Path | str, *, server: str, module_id: str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_DDL)
            self._bind(server.rstrip("/"), module_id)
        except sqlite3.DatabaseError as exc:
            raise PrimeroJournalError(f"journal {self.path}: unreadable ({exc})") from None

    def _bind(self, server: str, module_id: str) -> None:
        expected = {"schema": _SCHEMA_VERSION, "server": server, "module_id": module_id}
        rows = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not rows:
            with self._db:
                self._db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)", sorted(expected.items())
                )
            return
        for key, value in expected.items():
            if rows.get(key) != value:
                raise PrimeroJournalError(
                    f"journal {self.path} was written for {key}={rows.get(key)!r}, "
                    f"not {value!r}; use another --journal file"
                )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads --------------------------------------------------------------------------------

    def get(self, key: str) -> JournalEntry | None:
        """The entry for ``key`` or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT key, record_id, digest, state, action, error_code, error, attempts, "
                "updated_at FROM records WHERE key = ?",
                (key,),
            ).fetchone()
        return JournalEntry(*row) if row else None

    def entries(self, state: State | None = None) -> Iterator[JournalEntry]:
        """Every entry (optionally in one state), ordered by key."""
        sql = (
            "SELECT key, record_id, digest, state, action, error_code, error, attempts, "
            "updated_at FROM records"
        )
        params: tuple[str, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            params = (state,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY key", params).fetchall()
        for row in rows:
            yield JournalEntry(*row)

    def counts(self) -> dict[str, int]:
        """Number of entries per state (every state present, possibly 0)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM records GROUP BY state"
            ).fetchall()
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        out.update({state: n for state, n in rows})
        return out

    # -- writes (each committed at once) -----------------------------------------------------

    def _write(self, sql: str, params: tuple[object, ...]) -> None:
        with self._lock, self._db:
            self._db.execute(sql, params)

    def mark_pending(self, key: str, record_id: str, digest: str) -> None:
        """Start (or restart) a record: state ``pending``, attempts + 1, error cleared."""
        self._write(
            "INSERT INTO records (key, record_id, digest, state, attempts, updated_at) "
            "VALUES (?, ?, ?, 'pending', 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET record_id = excluded.record_id, "
            "digest = excluded.digest, state = 'pending', action = NULL, error_code = NULL, "
            "error = NULL, attempts = records.attempts + 1, updated_at = excluded.updated_at",
            (key, record_id, digest, _now()),
        )

    def mark_sent(self, key: str) -> None:
        """A write request is about to leave for this record."""
        self._write(
            "UPDATE records SET state = 'sent', updated_at = ? WHERE key = ?", (_now(), key)
        )

    def mark_confirmed(self, key: str, action: str) -> None:
        """Primero acknowledged the record (``action``: created, updated or unchanged)."""
        self._write(
            "UPDATE records SET state = 'confirmed', action = ?, error_code = NULL, error = NULL, "
            "updated_at = ? WHERE key = ?",
            (action, _now(), key),
        )

    def mark_failed(self, key: str, code: str, message: str) -> None:
        """The record failed; ``code`` is machine-readable, ``message`` names fields only."""
        self._write(
            "UPDATE records SET state = 'failed', error_code = ?, error = ?, updated_at = ? "
            "WHERE key = ?",
            (code, message[:2000], _now(), key),
        )
