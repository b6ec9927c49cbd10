"""The SQLite push journal: states, persistence across processes, binding to one server."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cpcase.adapters.primero import Journal, PrimeroJournalError

URL = "http://primero.test"
CP = "primeromodule-cp"


def test_states_and_counts(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite", server=URL, module_id=CP) as j:
        assert j.counts() == {"pending": 0, "sent": 0, "confirmed": 0, "failed": 0}
        j.mark_pending("A", "id-a", "d1")
        assert j.get("A").state == "pending"  # type: ignore[union-attr]
        j.mark_sent("A")
        j.mark_confirmed("A", "created")
        j.mark_pending("B", "id-b", "d2")
        j.mark_failed("B", "invalid_record", "HTTP 422: Invalid Record JSON [/sex]")
        assert j.counts() == {"pending": 0, "sent": 0, "confirmed": 1, "failed": 1}
        entry = j.get("B")
        assert entry is not None
        assert (entry.state, entry.error_code, entry.attempts) == ("failed", "invalid_record", 1)
        j.mark_pending("B", "id-b", "d2")  # retried on the next run: attempts + 1, error cleared
        entry = j.get("B")
        assert entry is not None
        assert (entry.state, entry.error, entry.attempts) == ("pending", None, 2)
        assert [e.key for e in j.entries()] == ["A", "B"]
        assert [e.key for e in j.entries("confirmed")] == ["A"]
        assert j.get("missing") is None


def test_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, server=URL, module_id=CP) as j:
        j.mark_pending("A", "id-a", "d1")
        j.mark_confirmed("A", "updated")
    with Journal(path, server=URL + "/", module_id=CP) as j:  # trailing slash is the same server
        entry = j.get("A")
        assert entry is not None
        assert (entry.state, entry.action, entry.digest) == ("confirmed", "updated", "d1")


def test_bound_to_one_server_and_module(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path, server=URL, module_id=CP).close()
    with pytest.raises(PrimeroJournalError, match="server"):
        Journal(path, server="https://other.example", module_id=CP)
    with pytest.raises(PrimeroJournalError, match="module_id"):
        Journal(path, server=URL, module_id="primeromodule-gbv")


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(PrimeroJournalError, match="unreadable"):
        Journal(path, server=URL, module_id=CP)


def test_state_check_constraint(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path, server=URL, module_id=CP).close()
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO records (key, record_id, digest, state, updated_at) "
            "VALUES ('x', 'y', 'z', 'lost', 'now')"
        )
    db.close()
