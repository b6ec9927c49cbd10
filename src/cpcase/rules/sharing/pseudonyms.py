"""Pseudonymisation: the code↔name list kept apart, and keyed pseudonyms for linkage.

Every file carries an anonymised case code; "la liste associant les codes de dossiers et le nom
des enfants doit être conservée en lieu sûr dans un endroit distinct" (Mali SOP 2020 §6.1.2
L1142–L1143; course L761). :class:`NameList` is that list: a separate object with no JSON form
shared with case data, a ``repr`` that never shows a name, and its own explicit
:meth:`NameList.dumps` for storing it elsewhere (encrypted, by the archive adapter).

Keyed pseudonyms let two organisations recognise the same child without exchanging names: each
computes ``HMAC-SHA256(key, normalised name tokens + date of birth + sex)`` with a key they agree
on (an inter-agency linkage key) and compares the results. Without the key a pseudonym cannot be
recomputed from a guessed name, unlike a plain hash. Keys are never printed: ``repr`` shows a
fingerprint only.

>>> key = PseudonymKey(bytes(range(32)))
>>> a = child_pseudonym(key, names=("Awa", "Traoré"), birth_date="2012-03-04", sex="female")
>>> b = child_pseudonym(key, names=("TRAORE", "awa"), birth_date="2012-03-04", sex="female")
>>> a == b, a.startswith("PSN-"), len(a)
(True, True, 30)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import unicodedata
from collections.abc import Iterable, Iterator, Mapping

import attrs

from cpcase.case import CaseFile
from cpcase.errors import CpcaseError

__all__ = [
    "NameEntry",
    "NameList",
    "PseudonymError",
    "PseudonymKey",
    "case_pseudonym",
    "child_pseudonym",
    "normalise_name",
]

_MIN_KEY = 32
_CHILD_DOMAIN = b"cpcase-child-pseudonym/v1"
_CASE_DOMAIN = b"cpcase-case-pseudonym/v1"
_FINGERPRINT_DOMAIN = b"cpcase-key-fingerprint/v1"


class PseudonymError(CpcaseError, ValueError):
    """A pseudonym key or name list is malformed (the message never contains a name or key)."""

    message = "invalid pseudonym key or name list"


class PseudonymKey:
    """An organisation's (or a linkage group's) secret key for keyed pseudonyms.

    At least 32 random bytes. The key is only ever exposed by :meth:`export_hex`; ``repr`` and
    ``str`` show the fingerprint, which identifies the key without revealing it.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray) or len(secret) < _MIN_KEY:
            raise PseudonymError(f"a pseudonym key needs at least {_MIN_KEY} bytes")
        self._secret = bytes(secret)

    @classmethod
    def generate(cls) -> PseudonymKey:
        """A fresh random key (store it like a password; losing it breaks linkage)."""
        return cls(secrets.token_bytes(_MIN_KEY))

    @classmethod
    def from_hex(cls, text: str) -> PseudonymKey:
        """Read a key written by :meth:`export_hex`."""
        try:
            secret = bytes.fromhex(text.strip())
        except ValueError:
            raise PseudonymError("a pseudonym key must be hexadecimal") from None
        return cls(secret)

    def export_hex(self) -> str:
        """The key as hexadecimal, for storing in a protected file (never in logs or argv)."""
        return self._secret.hex()

    @property
    def fingerprint(self) -> str:
        """A short public identifier of the key (first 16 hex digits of a keyed digest)."""
        return hmac.new(self._secret, _FINGERPRINT_DOMAIN, hashlib.sha256).hexdigest()[:16]

    def mac(self, domain: bytes, message: bytes) -> bytes:
        """HMAC-SHA256 of ``message`` under this key, separated by ``domain``."""
        return hmac.new(self._secret, domain + b"\x00" + message, hashlib.sha256).digest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PseudonymKey):
            return NotImplemented
        return hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"PseudonymKey(fingerprint={self.fingerprint})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("pseudonym keys are not picklable; use export_hex() deliberately")


def normalise_name(text: str) -> tuple[str, ...]:
    """Name tokens, accent- and case-insensitive: ``"Traoré  AWA"`` → ``("awa", "traore")``.

    Tokens are sorted so that the order of given and family names does not matter.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in plain.casefold())
    return tuple(sorted(cleaned.split()))


def _encode(digest: bytes) -> str:
    return base64.b32encode(digest).decode("ascii").rstrip("=")[:26]


def child_pseudonym(
    key: PseudonymKey,
    *,
    names: Iterable[str],
    birth_date: dt.date | str | None,
    sex: str | None,
) -> str:
    """A keyed pseudonym for a child: ``PSN-`` + 26 base32 characters (130 bits).

    Same names (any order, case or accents), birth date and sex under the same key give the same
    pseudonym. ``birth_date`` may be a date, an ISO date string, a year, or ``None``.
    """
    tokens: list[str] = []
    for name in names:
        tokens.extend(normalise_name(name))
    if not tokens:
        raise PseudonymError("a child pseudonym needs at least one name")
    birth = birth_date.isoformat() if isinstance(birth_date, dt.date) else (birth_date or "")
    fields = (" ".join(sorted(tokens)), birth.strip(), (sex or "").strip().casefold())
    message = json.dumps(fields, ensure_ascii=True).encode("ascii")
    return "PSN-" + _encode(key.mac(_CHILD_DOMAIN, message))


def case_pseudonym(key: PseudonymKey, case_code: str) -> str:
    """A keyed pseudonym for a case code (``PSC-`` + 26 base32 characters).

    Use it when even the case code must not travel (research extracts, cross-agency linkage):
    the holder of the key can map it back by recomputing, nobody else can.
    """
    code = case_code.strip().upper()
    if not code:
        raise PseudonymError("empty case code")
    return "PSC-" + _encode(key.mac(_CASE_DOMAIN, code.encode("utf-8")))


@attrs.frozen(repr=False)
class NameEntry:
    """One line of the code↔name list; ``hidden`` marks a name masked by the caseworker."""

    case_code: str
    names: tuple[str, ...]
    hidden: bool = False

    def __repr__(self) -> str:
        return f"NameEntry(case_code={self.case_code!r}, names=<{len(self.names)} hidden>)"


class NameList:
    """The code↔name list: a separate object, never part of a shared view or case export.

    Build it from registration data, keep it where the SOP says ("en lieu sûr dans un endroit
    distinct"), and use it to put names back on a caseworker's own screen. It has no pydantic or
    attrs serialisation; :meth:`dumps` is the only way out, and it is explicit.
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[NameEntry] = ()) -> None:
        table: dict[str, NameEntry] = {}
        for entry in entries:
            if entry.case_code in table:
                raise PseudonymError(f"case code {entry.case_code} appears twice in the name list")
            table[entry.case_code] = entry
        self._entries: Mapping[str, NameEntry] = table

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._entries))

    def __contains__(self, case_code: object) -> bool:
        return case_code in self._entries

    def __repr__(self) -> str:
        return f"NameList(<{len(self._entries)} entries>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("the name list is not picklable; use dumps() deliberately")

    @classmethod
    def from_cases(cls, cases: Iterable[CaseFile]) -> NameList:
        """The list for ``cases``: names from each registration (1.B), masked flag kept."""
        entries = []
        for case in cases:
            reg = case.registration
            if reg is None:
                continue
            names = tuple(n for n in (reg.name_first, reg.name_last, reg.name_nickname) if n)
            if names:
                entries.append(NameEntry(case.case_code, names, hidden=reg.hidden_name))
        return cls(entries)

    def names_of(self, case_code: str, *, include_hidden: bool = False) -> tuple[str, ...]:
        """The names for ``case_code`` (empty if unknown, or masked unless ``include_hidden``)."""
        entry = self._entries.get(case_code)
        if entry is None or (entry.hidden and not include_hidden):
            return ()
        return entry.names

    def codes_for(self, name: str) -> tuple[str, ...]:
        """Case codes whose names match ``name`` (accent/case/order-insensitive); masked skipped."""
        wanted = set(normalise_name(name))
        if not wanted:
            return ()
        hits = []
        for code, entry in self._entries.items():
            tokens: set[str] = set()
            for n in entry.names:
                tokens.update(normalise_name(n))
            if not entry.hidden and wanted <= tokens:
                hits.append(code)
        return tuple(sorted(hits))

    def dumps(self) -> str:
        """The list as JSON text, for storage apart from case data (encrypt it at rest)."""
        rows = [
            {"case_code": e.case_code, "names": list(e.names), "hidden": e.hidden}
            for _, e in sorted(self._entries.items())
        ]
        return json.dumps({"format": "cpcase-name-list/v1", "entries": rows}, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> NameList:
        """Read a list written by :meth:`dumps`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PseudonymError(f"name list is not JSON (line {exc.lineno})") from None
        if not isinstance(data, dict) or data.get("format") != "cpcase-name-list/v1":
            raise PseudonymError("not a cpcase name list (format cpcase-name-list/v1)")
        entries = []
        for i, row in enumerate(data.get("entries", [])):
            try:
                names = row["names"]
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise TypeError
                entries.append(
                    NameEntry(str(row["case_code"]), tuple(names), bool(row.get("hidden", False)))
                )
            except (KeyError, TypeError):
                raise PseudonymError(f"name list entry {i} is malformed") from None
        return cls(entries)
