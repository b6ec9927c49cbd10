"""Register rows → :class:`~cpcase.case.CaseFile` (registration 1.B, consent 1.A, concerns, risk,
assignment), or cell-level problems. Streams: one row in, one case (or report line) out.

:func:`convert_register` is the whole job behind ``cpcase convert``: open the register, find
the sheet and header, map the columns, convert every row, and write ``cases.jsonl``,
``cases.primero.jsonl`` (when asked), ``report.xlsx``, ``rows.csv`` and ``summary.json``
atomically into the output directory. Every non-blank row ends up either in ``cases.jsonl`` or
as an error in the report; ``rows.csv`` says which, row by row (no names).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar

import attrs
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from cpcase.adapters.excel._parallel import Chunk, Done, can_fork, convert_parallel, join_lines
from cpcase.adapters.excel._text import fold
from cpcase.adapters.excel.cells import CellValue, RawRow, column_letter
from cpcase.adapters.excel.coerce import (
    AgeValue,
    CoercionError,
    DateOptions,
    DateValue,
    EnumIndex,
    is_blank,
    parse_age,
    parse_bool,
    parse_date,
    parse_phone,
    parse_text,
    vocab_member,
)
from cpcase.adapters.excel.columns import FIELDS_BY_KEY, VALUE_SYNONYMS, FieldKind, RegisterField
from cpcase.adapters.excel.errors import HeaderNotFoundError
from cpcase.adapters.excel.header import HeaderGuess, find_header, score_rows
from cpcase.adapters.excel.limits import DEFAULT_LIMITS, Limits
from cpcase.adapters.excel.mapping import ColumnMap, MappingConfig, map_columns
from cpcase.adapters.excel.problems import Problem, ProblemCode, Severity
from cpcase.adapters.excel.reader import RegisterFile, Sheet
from cpcase.case import CaseFile, RiskDecision
from cpcase.codes import CaseCodeFormat
from cpcase.errors import CaseCodeError
from cpcase.forms import ConsentForm, RegistrationForm
from cpcase.forms.registration import AGE_OF_MAJORITY, age_on
from cpcase.labels import Lang
from cpcase.vocab import (
    AgeStatus,
    CaseStatus,
    ConsentGiverRelationship,
    Region,
    RiskLevel,
)

__all__ = [
    "REGION_CODES",
    "ConvertOptions",
    "RowConverter",
    "RowResult",
    "Summary",
    "convert_register",
    "open_sheet",
]

#: Short region codes used in generated case codes (``ML-MOP-ORG-2024-00042``).
REGION_CODES: dict[Region, str] = {
    Region.BAMAKO: "BKO",
    Region.KAYES: "KAY",
    Region.KOULIKORO: "KKR",
    Region.SIKASSO: "SIK",
    Region.SEGOU: "SEG",
    Region.MOPTI: "MOP",
    Region.TOMBOUCTOU: "TBK",
    Region.GAO: "GAO",
    Region.KIDAL: "KID",
    Region.MENAKA: "MEN",
    Region.TAOUDENIT: "TAO",
    Region.NIORO: "NIO",
    Region.KITA: "KIT",
    Region.DIOILA: "DIO",
    Region.NARA: "NAR",
    Region.BOUGOUNI: "BGN",
    Region.KOUTIALA: "KTL",
    Region.SAN: "SAN",
    Region.DOUENTZA: "DTZ",
    Region.BANDIAGARA: "BDG",
    Region.OTHER: "OTH",
}

# Register keys copied as they are into form 1.B.
_DIRECT_1B = (
    "identification_source",
    "identified_by",
    "referring_organisation",
    "name_first",
    "name_last",
    "name_nickname",
    "hidden_name",
    "sex",
    "has_birth_certificate_or_id",
    "nationality",
    "displacement_status",
    "region",
    "location_current",
    "community_of_origin",
    "lives_in_community_of_origin",
    "vulnerability_categories",
    "dominant_profile",
    "protection_situations",
    "protection_concern_primary",
    "protection_concerns_secondary",
    "separation_status",
    "disability_or_chronic_illness",
    "child_mother",
    "care_arrangement",
    "emergency_care_needed",
    "immediate_needs",
    "risk_level",
    "eligible_cm",
    "eligibility_reason",
    "eligibility_outcome",
)
_DIRECT_1B_KEYS = frozenset(_DIRECT_1B)
# Fields a row cannot do without (an unreadable value rejects the row).
_REQUIRED = frozenset(
    {
        "registration_date",
        "sex",
        "protection_concern_primary",
        "identification_source",
        "identified_by",
        "eligibility_outcome",
        "case_code",
    }
)
# Form 1.B / 1.A field → register key, to place validation errors on the right cell.
_FORM_TO_KEY = {
    **{k: k for k in _DIRECT_1B},
    "date_of_birth": "date_of_birth",
    "age": "age",
    "age_status": "age_status",
    "registration_date": "registration_date",
    "identification_date": "identification_date",
    "form_date": "registration_date",
    "family_supports": "caregiver_name",
    "consent_obtained": "consent_obtained",
    "caseworker_id": "caseworker",
    "organisation_id": "organisation",
    "case_code": "case_code",
    "consent_date": "consent_date",
    "consent_mode": "consent_mode",
    "givers": "consent_child",
    "consent_scope": "consent_scope",
    "recipients": "consent_recipients",
    "information_explained": "consent_obtained",
}
_CONSENT_KEYS = (
    "consent_child",
    "consent_caregiver",
    "consent_caregiver_relationship",
    "consent_date",
    "consent_mode",
    "consent_scope",
    "consent_recipients",
)
_MASK = "***"
_MISS = object()
_CACHE_SIZE = 2048
_GC_THRESHOLD = 50_000
# Lines are a few kilobytes: buffered a megabyte at a time, not 8 KB (fewer system calls).
_WRITE_BUFFER = 1 << 20
_REPEATING = frozenset(
    {FieldKind.DATE, FieldKind.AGE, FieldKind.BOOL, FieldKind.ENUM, FieldKind.MULTI}
)
# Converted cases are copies of this empty file updated with validated parts (see _build).
_EMPTY_CASE = CaseFile.model_construct(case_code="X", organisation_id="X")
# A valid form header used to validate a form's row-independent rules once per shape.
_PLACEHOLDER_HEADER: dict[str, Any] = {
    "case_code": "ML-XX-ORG-2000-00001",
    "form_date": dt.date(2000, 1, 1),
    "caseworker_id": None,
    "organisation_id": "ORG",
}
_BLANK = object()
_ERROR = Severity.ERROR
_WARNING = Severity.WARNING
_NOTE = Severity.NOTE
_OPEN = CaseStatus.OPEN
_DOCUMENTED = AgeStatus.DOCUMENTED
_ESTIMATED = AgeStatus.ESTIMATED
_PRESUMED_MINOR = AgeStatus.PRESUMED_MINOR
_ACCENTS = str.maketrans(
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ",
    "aaaaaaceeeeiiiinooooouuuuyyoaaaaaaceeeeiiiinooooouuuuy",
)
# Register keys held by the case itself, not by the snapshot of a not-eligible row.
_CASE_LEVEL = frozenset(
    {"case_code", "organisation", "case_status", "caseworker", "supervisor", "age_estimated"}
)


@attrs.frozen
class ConvertOptions:
    """How to convert: the reference day (no clock is read), the language of the report, the
    mapping, limits, and whether to write Primero bodies."""

    today: dt.date
    lang: Lang = "fr"
    mapping: MappingConfig = attrs.field(factory=MappingConfig)
    limits: Limits = DEFAULT_LIMITS
    sheet: str | None = None
    header_row: int | None = None
    primero: bool = False
    max_problems_per_row: int = 20
    #: Processes converting rows: 0 decides (one per CPU for registers of more than a few
    #: thousand rows, where processes can be forked), 1 keeps everything in this process, N
    #: uses this one and N - 1 forked workers. The outputs are the same either way.
    workers: int = 0


@attrs.frozen
class RowResult:
    """What became of one row: a case (maybe with warnings), or problems with an error."""

    row: int
    case: CaseFile | None
    problems: tuple[Problem, ...]
    outcome: Literal["converted", "rejected", "not_eligible", "blank"]


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, AgeValue):
        return value.years
    if isinstance(value, DateValue):
        return value.value.isoformat()
    return value


class _SeenIndex:
    """Remembers, for each key hash, the first row that had it: an open-addressing table in
    two arrays (16 bytes a slot), a tenth of a dict's memory for the same rows."""

    __slots__ = ("_keys", "_mask", "_rows", "_used")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self._keys = array("q", bytes(8 * capacity))
        self._rows = array("q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def first(self, key: int, row: int) -> int:
        """The first row seen with ``key``; records ``row`` when the key is new."""
        key = key or 1  # 0 marks an empty slot
        keys = self._keys
        mask = self._mask
        slot = key & mask
        while True:
            stored = keys[slot]
            if stored == key:
                return self._rows[slot]
            if stored == 0:
                keys[slot] = key
                self._rows[slot] = row
                self._used += 1
                if self._used * 2 > mask:
                    self._grow()
                return row
            slot = (slot + 1) & mask

    def get(self, key: int) -> int | None:
        """The row recorded for ``key``, or ``None``."""
        key = key or 1
        slot = key & self._mask
        while True:
            stored = self._keys[slot]
            if stored == key:
                return self._rows[slot]
            if stored == 0:
                return None
            slot = (slot + 1) & self._mask

    def reserve(self, entries: int) -> None:
        """Make room for ``entries`` keys at once (growing rehashes every key so far)."""
        size = len(self._keys)
        while size < 2 * entries + 2:
            size *= 2
        if size > len(self._keys):
            self._grow(size)

    def _grow(self, size: int = 0) -> None:
        keys, rows = self._keys, self._rows
        size = size or 2 * len(keys)
        self._keys = array("q", bytes(8 * size))
        self._rows = array("q", bytes(8 * size))
        self._mask = size - 1
        self._used = 0
        for key, row in zip(keys, rows, strict=True):
            if key:
                self.first(key, row)


_NUMBERS, _CHILDREN, _CODES = 0, 1, 2


class _Claims:
    """What rows have claimed so far in the register: register numbers, children (name, birth
    date and sex) and case codes, each with the first row that had it. The only state one row's
    conversion leaves for the next ones."""

    __slots__ = ("_indexes",)

    def __init__(self) -> None:
        self._indexes = (_SeenIndex(), _SeenIndex(), _SeenIndex())

    def first(self, which: int, key: object, row: int, at: int = -1) -> int:
        """The first row that claimed ``key``; claims it for ``row`` when it is new. ``at`` (the
        place of the duplicate warning among the row's problems) matters only to a
        :class:`_Recorder`."""
        return self._indexes[which].first(hash(key), row)

    def get(self, which: int, key: object) -> int | None:
        """The row that claimed ``key``, or ``None``."""
        return self._indexes[which].get(hash(key))

    def reserve(self, rows: int) -> None:
        """Make room for the keys of ``rows`` rows (capped: a bound, not a promise)."""
        for index in self._indexes:
            index.reserve(min(rows, 1 << 20))

    def replay_rows(
        self,
        claims: array[int],
        counts: bytes,
        numbers: list[int],
        at: int,
        position: int,
    ) -> tuple[int, int, list[tuple[int, int, int]] | None]:
        """Apply, in row order from row ``at``, the claims a :class:`_Recorder` saw for rows
        converted in a forked worker (which hashes like this process): ``claims`` holds them as
        ``(which, hash, place)`` triples from ``position`` on, ``counts`` how many each row
        made, ``numbers`` the rows' numbers. Stops at the first row that needs more than its
        claims: returns its index, where its claims end, and either the duplicate warnings it
        lacks, as ``(place among its problems, which, first row)``, or ``None`` when it must be
        converted again here (a case code was taken: its code or outcome changes; its remaining
        claims are then left to that conversion). ``(len(numbers), …, [])`` once every row is
        applied.

        A row converted again claims the same keys again: those this replay already recorded
        for it answer with its own row number, as new keys would, so the result is the one a
        single process gives."""
        firsts = [index.first for index in self._indexes]
        gets = [index.get for index in self._indexes]
        rows = len(numbers)
        while at < rows:
            end = position + 3 * counts[at]
            number = numbers[at]
            found: list[tuple[int, int, int]] | None = None
            while position < end:
                which = claims[position]
                digest = claims[position + 1]
                place = claims[position + 2]
                position += 3
                if place == _FREE:
                    if gets[which](digest) is not None:
                        return at, end, None
                    continue
                first = firsts[which](digest, number)
                if first != number:
                    if place < 0:
                        return at, end, None
                    if found is None:
                        found = []
                    found.append((place, which, first))
            if found:
                return at, position, found
            at += 1
        return rows, position, []


# A claim recorded by :meth:`_Recorder.get`: the key must be free (nothing is claimed).
_FREE = -2


class _Recorder:
    """Stands in for :class:`_Claims` where rows are converted without the register's state:
    every key looks new, and the keys looked at are recorded (hashed) for
    :meth:`_Claims.replay` as ``(which, hash, at)``."""

    __slots__ = ("claims",)

    def __init__(self) -> None:
        self.claims: list[tuple[int, int, int]] = []

    def first(self, which: int, key: object, row: int, at: int = -1) -> int:
        """Record ``key`` as claimed by ``row`` (``at``: where a duplicate warning would go
        among the row's problems, or -1 when a taken key changes more than the warnings); it
        always looks new."""
        digest = hash(key)
        claims = self.claims
        if claims and claims[-1] == (which, digest, _FREE):
            claims[-1] = (which, digest, at)  # checked, then claimed: one claim
        else:
            claims.append((which, digest, at))
        return row

    def get(self, which: int, key: object) -> int | None:
        """Record that ``key`` must be free; it always is."""
        self.claims.append((which, hash(key), _FREE))
        return None


@attrs.define
class _Coerced:
    """One row's coerced cells (see :meth:`RowConverter.coerce_many`)."""

    values: dict[str, Any] = attrs.field(factory=dict)
    extras: dict[str, Any] = attrs.field(factory=dict)
    failures: list[tuple[_Column, CoercionError, CellValue]] = attrs.field(factory=list)


@attrs.define
class _Pending:
    """A row prepared for :meth:`RowConverter.complete`: its form 1.B to validate, the rest of
    its case, the risk level to record and its problems so far."""

    row: RawRow
    reg_data: dict[str, Any]
    case_data: dict[str, Any]
    risk: Any
    reg_date: dt.date
    problems: list[Problem]


class _Column:
    """A mapped column with its compiled coercer and a cache of already-seen values."""

    __slots__ = ("cache", "extra", "field", "index", "keep", "key", "parse")

    def __init__(
        self, index: int, key: str, field: RegisterField | None, parse: Callable[[CellValue], Any]
    ) -> None:
        self.index = index
        self.key = key
        self.field = field
        self.parse = parse
        self.extra = field is None
        # Every column starts cached. When the cache fills up, columns of a few repeated
        # values (dates, lists, yes/no) start a fresh cache; free-text columns (names, phone
        # numbers) stop caching: their values rarely repeat.
        self.keep = field is not None and field.kind in _REPEATING
        self.cache: dict[Any, Any] | None = {}


class RowConverter:
    """Converts rows of one sheet, given its column map. Keeps only duplicate-detection keys."""

    def __init__(
        self,
        column_map: ColumnMap,
        options: ConvertOptions,
        *,
        sheet: str,
        date1904: bool = False,
    ) -> None:
        self.options = options
        self.config = options.mapping
        self.sheet = sheet
        self.column_map = column_map
        self.date_options = DateOptions(
            today=options.today, dayfirst=self.config.dayfirst, date1904=date1904
        )
        self._enum: dict[str, EnumIndex[Any]] = {}
        self.columns: list[_Column] = []
        for column in column_map.mapped:
            target = column.target
            if target is None:
                continue
            if target.startswith("extra:"):
                self.columns.append(_Column(column.index, target, None, self._text(5000)))
                continue
            field = FIELDS_BY_KEY[target]
            self.columns.append(_Column(column.index, target, field, self._parser(field)))
        self.keys = column_map.keys()
        self.code_format: CaseCodeFormat = self.config.case_code.format
        # Duplicate detection keeps only hashes and row numbers (about 100 bytes a row).
        self._claims: _Claims | _Recorder = _Claims()
        self.defaults_used: Counter[str] = Counter()
        self._defaults = self._resolve_defaults()
        self._orgs: dict[str, str] = {}
        self._consent_shapes: dict[tuple[Any, ...], Any] = {}
        # Consent cells -> (form 1.A template or its errors or None, whether someone agreed).
        self._consent_rows: dict[tuple[Any, ...], tuple[Any, bool]] = {}
        self._risks: dict[tuple[Any, ...], RiskDecision] = {}
        # CaseCodeFormat compiles its pattern on each call; compile it once here.
        self._code_re = self.code_format._regex()
        self._prefixes: dict[tuple[str, str, int], tuple[str, str]] = {}
        self._context = {"today": options.today}

    # -- coercers ----------------------------------------------------------------------------

    def _text(self, max_chars: int) -> Callable[[CellValue], Any]:
        def parse(value: CellValue) -> str:
            return parse_text(value, max_chars=max_chars)

        return parse

    def _index(self, field: RegisterField) -> EnumIndex[Any]:
        if field.key not in self._enum:
            assert field.vocab is not None  # noqa: S101 - ENUM/MULTI fields have a vocabulary
            self._enum[field.key] = EnumIndex(
                field.vocab,
                VALUE_SYNONYMS.get(field.vocab),
                extra=self.config.values.get(field.key),
            )
        return self._enum[field.key]

    def _parser(self, field: RegisterField) -> Callable[[CellValue], Any]:
        kind = field.kind
        if kind is FieldKind.DATE:
            opts = self.date_options

            def parse_d(value: CellValue) -> DateValue:
                return parse_date(value, opts)

            return parse_d
        if kind is FieldKind.AGE:
            return parse_age
        if kind is FieldKind.BOOL:
            return parse_bool
        if kind is FieldKind.PHONE:
            return parse_phone
        if kind is FieldKind.ENUM:
            return self._index(field).parse
        if kind is FieldKind.MULTI:
            return self._index(field).parse_many
        if kind is FieldKind.CODE:
            return self._text(64)
        return self._text(field.max_chars)

    def _fill(self, column: _Column, raw: CellValue) -> Any:
        """Coerce a value not seen before in this column and remember the outcome."""
        cache = column.cache
        key = raw if raw.__class__ is not bool else (bool, raw)
        if is_blank(raw):
            hit: Any = _BLANK
        else:
            try:
                hit = column.parse(raw)
            except CoercionError as exc:
                hit = _detached(exc)
        if cache is not None:
            if len(cache) >= _CACHE_SIZE:
                column.cache = {} if column.keep else None
            else:
                cache[key] = hit
        return hit

    def _problem(
        self,
        row: RawRow,
        key: str | None,
        code: ProblemCode,
        severity: Severity,
        params: dict[str, Any] | None = None,
        *,
        raw: CellValue = None,
        column: int | None = None,
        suggestion: tuple[str | None, str | None] = (None, None),
    ) -> Problem:
        if column is None and key is not None:
            column = self.column_map.index_of(key)
        if raw is None and column is not None and column < len(row.cells):
            raw = row.cells[column]
        label_key = key[6:] if key and key.startswith("extra:") else key
        field = FIELDS_BY_KEY.get(label_key or "")
        label = field.label(self.options.lang) if field else (label_key or "")
        full = {"field": label, **(params or {})}
        value = None if raw is None else str(raw)[:200]
        return Problem(
            row=row.number,
            column=column,
            code=code,
            severity=severity,
            field=key,
            value=value,
            params=full,
            suggestion_fr=suggestion[0],
            suggestion_en=suggestion[1],
        )

    def convert(self, row: RawRow) -> RowResult:
        """Convert one row (problems carry this sheet's cell references)."""
        return self.complete([self.prepare(row)])[0]

    def convert_many(self, rows: list[RawRow]) -> list[RowResult]:
        """Convert rows, in order: as :meth:`convert` on each, stage by stage (faster)."""
        return self.complete(self.prepare_many(rows))

    def prepare(self, row: RawRow) -> RowResult | _Pending:
        """The first stage of converting a row: everything but validating its form 1.B and
        making its case (see :meth:`complete`). Claims the row's keys."""
        return self.settle(row, self.coerce_many([row])[0])

    def prepare_many(self, rows: list[RawRow]) -> list[RowResult | _Pending]:
        """:meth:`prepare` for rows, in order (their cells coerced column by column)."""
        return [
            self.settle(row, coerced)
            for row, coerced in zip(rows, self.coerce_many(rows), strict=True)
        ]

    def coerce_many(self, rows: list[RawRow]) -> list[_Coerced]:
        """Every mapped cell of ``rows`` coerced: per row, its values by register key, its extra
        columns and the cells that failed. Column by column, which keeps each column's cache
        of seen values and its coercer hot (a row's cells do not depend on each other)."""
        out = [_Coerced() for _ in rows]
        cells_of = [row.cells for row in rows]
        for column in self.columns:
            index = column.index
            key = column.key[6:] if column.extra else column.key
            parse = column.parse
            for cells, coerced in zip(cells_of, out, strict=True):
                if index >= len(cells):
                    continue
                raw = cells[index]
                if raw is None:
                    continue
                cache = column.cache
                if cache is not None:
                    hit = cache.get(raw if raw.__class__ is not bool else (bool, raw), _MISS)
                    if hit is _MISS:
                        hit = self._fill(column, raw)
                elif raw.__class__ is str and len(str(raw)) <= 24 and is_blank(raw):
                    continue
                else:
                    try:
                        hit = parse(raw)
                    except CoercionError as error:
                        hit = _detached(error)
                if hit is _BLANK:
                    continue
                if hit.__class__ is CoercionError:
                    coerced.failures.append((column, hit, raw))
                elif column.extra:
                    coerced.extras[key] = hit
                else:
                    coerced.values[key] = hit
        return out

    def settle(self, row: RawRow, coerced: _Coerced) -> RowResult | _Pending:
        """The rest of :meth:`prepare` once the row's cells are coerced. Claims the row's keys
        (call in row order)."""
        values = coerced.values
        extras = coerced.extras
        failures = coerced.failures
        if not values and not extras and not failures:
            note = self._problem(row, None, ProblemCode.NO_DATA, _NOTE)
            return RowResult(row.number, None, (note,), "blank")
        problems: list[Problem] = []
        for column, exc, raw in failures:
            key = column.key
            needed = key in _REQUIRED or (
                key in ("date_of_birth", "age")
                and "date_of_birth" not in values
                and "age" not in values
            )
            params = dict(exc.params)
            if not needed:
                params["ignored"] = True
            problems.append(
                self._problem(
                    row,
                    key,
                    exc.code,
                    _ERROR if needed else _WARNING,
                    params,
                    raw=raw,
                    column=column.index,
                    suggestion=(exc.suggestion_fr, exc.suggestion_en),
                )
            )
        return self._build(row, values, extras, problems)

    def _default(self, key: str, values: dict[str, Any]) -> Any:
        value = values.get(key)
        if value is not None:
            return value
        value = self._defaults.get(key)
        if value is not None:
            self.defaults_used[key] += 1
        return value

    def _resolve_defaults(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in (*_REQUIRED, "organisation", "consent_mode", *self.config.defaults):
            default = self.config.default_for(key)
            if default is None:
                continue
            field = FIELDS_BY_KEY.get(key)
            if field is not None and field.vocab is not None and field.kind is FieldKind.ENUM:
                out[key] = vocab_member(field.vocab, default)
            else:
                out[key] = default
        return out

    def _valid_code(self, code: str) -> bool:
        return self._code_re.match(code) is not None

    def _make_code(self, region: str, org: str, year: int, seq: int) -> str:
        """``fmt.format`` with each (region, org, year) checked once, not on every row."""
        fmt = self.code_format
        prefix_key = (region, org, year)
        around = self._prefixes.get(prefix_key)
        if around is None:
            country = self.config.case_code.country
            fmt.format(country=country, region=region, org=org, year=year, seq=1)
            # The template with everything but the sequence filled in, split where it goes.
            head, _, tail = fmt.template.format(
                country=country, region=region, org=org, year=year, seq="\x00"
            ).partition("\x00")
            around = self._prefixes[prefix_key] = (head, tail)
        if not 1 <= seq < 10**9:
            raise CaseCodeError("case-code sequence must be a positive number")
        return f"{around[0]}{seq:0{fmt.seq_width}d}{around[1]}"

    def _case_code(
        self,
        row: RawRow,
        values: dict[str, Any],
        reg_date: dt.date | None,
        problems: list[Problem],
    ) -> str | None:
        fmt = self.code_format
        given = values.get("case_code")
        if given is not None:
            code = str(given).strip().upper()
            if self._valid_code(code):
                taken = self._claims.get(_CODES, code)
                if taken is not None:
                    problems.append(
                        self._problem(
                            row,
                            "case_code",
                            ProblemCode.DUPLICATE_NUMBER,
                            _ERROR,
                            {"row": taken},
                        )
                    )
                    return None
                self._claims.first(_CODES, code, row.number)
                return code
            problems.append(
                self._problem(
                    row,
                    "case_code",
                    ProblemCode.CASE_CODE_INVALID,
                    _ERROR,
                    {"expected": fmt.template},
                )
            )
            return None
        number = values.get("register_number")
        if number is not None:
            candidate = str(number).strip().upper()
            if (
                self._valid_code(candidate)
                and self._claims.first(_CODES, candidate, row.number) == row.number
            ):
                return candidate
        settings = self.config.case_code
        region = settings.region
        if region is None:
            reg = values.get("region")
            region = REGION_CODES.get(reg, "XX") if isinstance(reg, Region) else "XX"
        org = settings.org
        if org is None:
            organisation = str(self._default("organisation", values) or "")
            org = self._orgs.get(organisation)
            if org is None:
                org = self._orgs[organisation] = _org_code(organisation)
        year = (reg_date or self.options.today).year
        text = str(number).strip() if number is not None else ""
        seq = int(text) if text.isdigit() else 0
        if not 0 < seq < 10**6:
            seq = 1_000_000 + row.number
        try:
            code = self._make_code(region, org, year, seq)
            if self._claims.get(_CODES, code) is not None:
                code = self._make_code(region, org, year, 2_000_000 + row.number)
        except CaseCodeError:
            problems.append(
                self._problem(
                    row,
                    "case_code",
                    ProblemCode.CASE_CODE_INVALID,
                    _ERROR,
                    {"expected": fmt.template},
                )
            )
            return None
        self._claims.first(_CODES, code, row.number)
        return code

    def _duplicates(self, row: RawRow, values: dict[str, Any], problems: list[Problem]) -> None:
        number = values.get("register_number")
        if number is not None:
            key = str(number).strip().casefold()
            first = self._claims.first(_NUMBERS, key, row.number, len(problems))
            if first != row.number:
                problems.append(self.duplicate(row, _NUMBERS, first))
        first_name = values.get("name_first")
        last_name = values.get("name_last")
        dob = values.get("date_of_birth")
        sex = values.get("sex")
        if (first_name or last_name) and dob is not None and sex is not None:
            child = (_name_key(first_name), _name_key(last_name), dob.value, sex)
            first = self._claims.first(_CHILDREN, child, row.number, len(problems))
            if first != row.number:
                problems.append(self.duplicate(row, _CHILDREN, first))

    def duplicate(self, row: RawRow, which: int, first: int) -> Problem:
        """The warning that ``row`` repeats the register number (``which`` = ``_NUMBERS``) or
        the child (``_CHILDREN``) of row ``first``."""
        if which == _NUMBERS:
            return self._problem(
                row, "register_number", ProblemCode.DUPLICATE_NUMBER, _WARNING, {"row": first}
            )
        key = (
            "name_last"
            if "name_last" in self.keys
            else ("full_name" if "full_name" in self.keys else "name_first")
        )
        return self._problem(row, key, ProblemCode.DUPLICATE_CHILD, _WARNING, {"row": first})

    def with_duplicates(
        self, row: RawRow, problems: tuple[Problem, ...], found: list[tuple[int, int, int]]
    ) -> tuple[Problem, ...] | None:
        """A row's problems (as converted without the register's claims) with the duplicate
        warnings :meth:`_Claims.replay` found put where :meth:`_duplicates` puts them; ``None``
        when the row had too many problems to tell (it is then converted again)."""
        limit = self.options.max_problems_per_row
        if len(problems) + len(found) > limit or (
            problems and problems[-1].code is ProblemCode.TOO_MANY_PROBLEMS
        ):
            return None
        out = list(problems)
        for shift, (at, which, first) in enumerate(found):
            out.insert(at + shift, self.duplicate(row, which, first))
        return tuple(out)

    def _build(
        self,
        row: RawRow,
        values: dict[str, Any],
        extras: dict[str, Any],
        problems: list[Problem],
    ) -> RowResult | _Pending:
        lang = self.options.lang
        # names
        full = values.pop("full_name", None)
        if full is not None and "name_first" not in values and "name_last" not in values:
            first, last = _split_name(full)
            if first:
                values["name_first"] = first
            if last:
                values["name_last"] = last
        # phone typed as a number
        phone = values.get("caregiver_phone")
        if isinstance(phone, tuple):
            text, suspicious = phone
            values["caregiver_phone"] = text
            if suspicious:
                problems.append(
                    self._problem(row, "caregiver_phone", ProblemCode.PHONE_AS_NUMBER, _NOTE)
                )
        self._duplicates(row, values, problems)
        # dates
        reg = values.get("registration_date")
        reg_date = reg.value if isinstance(reg, DateValue) else None
        if reg_date is None and not any(p.field == "registration_date" for p in problems):
            problems.append(
                self._problem(row, "registration_date", ProblemCode.REQUIRED_MISSING, _ERROR)
            )
        ident = values.get("identification_date")
        ident_date = ident.value if isinstance(ident, DateValue) else reg_date
        dob_value = values.get("date_of_birth")
        dob = dob_value.value if isinstance(dob_value, DateValue) else None
        age_value = values.get("age")
        age = age_value.years if isinstance(age_value, AgeValue) else None
        estimated = bool(
            (isinstance(dob_value, DateValue) and dob_value.precision != "day")
            or (isinstance(age_value, AgeValue) and age_value.estimated)
            or (dob is None and age is not None)
        )
        if (
            dob_value is not None
            and isinstance(dob_value, DateValue)
            and dob_value.precision != "day"
        ):
            problems.append(
                self._problem(
                    row,
                    "date_of_birth",
                    ProblemCode.DATE_PARTIAL,
                    _NOTE,
                    {
                        "detail": "année seule"
                        if dob_value.precision == "year" and lang == "fr"
                        else "year only"
                        if dob_value.precision == "year"
                        else "mois et année"
                        if lang == "fr"
                        else "month and year"
                    },
                )
            )
        age_status = values.get("age_status")
        if age_status is None:
            flag = values.get("age_estimated")
            estimate = flag is True or (flag is None and estimated)
            age_status = _ESTIMATED if estimate else _DOCUMENTED
        if dob is not None and age is not None and reg_date is not None and dob <= reg_date:
            computed = age_on(dob, reg_date)
            tolerance = 0 if age_status is _DOCUMENTED else 1
            if abs(computed - age) > tolerance:
                problems.append(self._problem(row, "age", ProblemCode.AGE_MISMATCH, _WARNING))
                age = None
        if (
            dob is None
            and age is None
            and not any(p.field in ("date_of_birth", "age") for p in problems)
        ):
            key = (
                "age"
                if "age" in self.keys or "date_of_birth" not in self.keys
                else ("date_of_birth")
            )
            problems.append(self._problem(row, key, ProblemCode.REQUIRED_MISSING, _ERROR))
        # required enums
        required_values: dict[str, Any] = {}
        defaults = self._defaults
        for key in (
            "sex",
            "protection_concern_primary",
            "identification_source",
            "identified_by",
            "eligibility_outcome",
        ):
            value = values.get(key)
            if value is None:  # as self._default(key, values), inlined (five keys a row)
                value = defaults.get(key)
                if value is not None:
                    self.defaults_used[key] += 1
                elif not any(p.field == key for p in problems):
                    problems.append(self._problem(row, key, ProblemCode.REQUIRED_MISSING, _ERROR))
            required_values[key] = value
        organisation = self._default("organisation", values)
        if organisation is None:
            organisation = self.config.case_code.org or "ORG"
            self.defaults_used["organisation"] += 1
        code = self._case_code(row, values, reg_date, problems)
        effective_age = age_on(dob, reg_date) if dob and reg_date and dob <= reg_date else age
        adult = (
            effective_age is not None
            and effective_age >= AGE_OF_MAJORITY
            and age_status is not _PRESUMED_MINOR
        )
        if adult:
            problems.append(
                self._problem(
                    row,
                    "date_of_birth" if dob is not None else "age",
                    ProblemCode.AGE_ADULT,
                    _WARNING,
                    {"age": AGE_OF_MAJORITY},
                )
            )
        if (
            code is None
            or reg_date is None
            or (problems and any(p.severity is _ERROR for p in problems))
        ):
            return self._rejected(row, problems)
        caseworker = values.get("caseworker")
        base: dict[str, Any] = {
            "case_code": code,
            "form_date": reg_date,
            "caseworker_id": caseworker,
            "organisation_id": organisation,
        }
        extra_fields: dict[str, Any] = dict(extras)
        if values.get("register_number") is not None:
            extra_fields["register_number"] = values["register_number"]
        status = values.get("case_status", _OPEN)
        if adult:
            snapshot = {
                key: _json_value(value) for key, value in values.items() if key not in _CASE_LEVEL
            }
            snapshot["age_status"] = age_status.value
            extra_fields["register_row"] = snapshot
            try:
                case = CaseFile.model_validate(
                    {
                        "case_code": code,
                        "organisation_id": organisation,
                        "caseworker_id": caseworker,
                        "supervisor_id": values.get("supervisor"),
                        "status": CaseStatus.NOT_ELIGIBLE,
                        "extra_fields": extra_fields,
                    }
                )
            except ValidationError as exc:
                return self._invalid(row, exc, problems, RegistrationForm)
            return self._accepted(row, case, problems, "not_eligible")
        reg_data: dict[str, Any] = dict(base)
        for key, value in values.items():  # a row holds fewer values than there are keys
            if key in _DIRECT_1B_KEYS and value is not None:
                reg_data[key] = value
        for key, value in required_values.items():
            if value is not None:
                reg_data[key] = value
        secondary = reg_data.get("protection_concerns_secondary")
        primary = reg_data.get("protection_concern_primary")
        if secondary and primary in secondary:
            reg_data["protection_concerns_secondary"] = tuple(c for c in secondary if c != primary)
        reg_data["registration_date"] = reg_date
        reg_data["identification_date"] = ident_date
        if dob is not None:
            reg_data["date_of_birth"] = dob
        if age is not None:
            reg_data["age"] = age
        reg_data["age_status"] = age_status
        caregiver = values.get("caregiver_name")
        caregiver_phone = values.get("caregiver_phone")
        relation = values.get("caregiver_relation")
        if caregiver is not None or caregiver_phone is not None or relation is not None:
            member: dict[str, Any] = {
                "relation": relation
                or ("Parent / tuteur" if lang == "fr" else "Parent / caregiver"),
                "relation_is_caregiver": True,
            }
            if caregiver is not None:
                member["relation_name"] = caregiver
            if caregiver_phone is not None:
                member["relation_telephone"] = caregiver_phone
            reg_data["family_supports"] = (member,)
        consent, agreed = self._consent(row, values, base, reg_date, problems)
        consent_obtained = values.get("consent_obtained")
        if consent_obtained is None and consent is not None:
            consent_obtained = agreed
        if consent_obtained is not None:
            reg_data["consent_obtained"] = consent_obtained
        case_data: dict[str, Any] = {
            "case_code": code,
            "organisation_id": organisation,
            "caseworker_id": caseworker,
            "supervisor_id": values.get("supervisor"),
            "status": status,
        }
        if consent is not None:
            case_data["consents"] = (consent,)
        if extra_fields:
            case_data["extra_fields"] = extra_fields
        return _Pending(row, reg_data, case_data, values.get("risk_level"), reg_date, problems)

    def complete(self, prepared: list[RowResult | _Pending]) -> list[RowResult]:
        """Finish prepared rows: validate their forms 1.B and make their cases. A stage of its
        own, run over many rows at a time: one kind of work at a time keeps its code and data
        in the CPU's caches (a third faster than interleaving the stages row by row)."""
        validate = RegistrationForm.model_validate
        context = self._context
        forms: list[RegistrationForm | ValidationError | None] = []
        for item in prepared:
            if item.__class__ is _Pending:
                try:
                    forms.append(validate(item.reg_data, context=context))
                except ValidationError as exc:
                    forms.append(_detached(exc))
            else:
                forms.append(None)
        out: list[RowResult] = []
        for item, form in zip(prepared, forms, strict=True):
            if form is None:
                assert isinstance(item, RowResult)  # noqa: S101 - not pending: done already
                out.append(item)
            elif isinstance(form, ValidationError):
                assert isinstance(item, _Pending)  # noqa: S101 - forms are made for pending rows
                out.append(self._invalid(item.row, form, item.problems, RegistrationForm))
            else:
                assert isinstance(item, _Pending)  # noqa: S101 - forms are made for pending rows
                out.append(self._case(item, form))
        return out

    def _case(self, item: _Pending, registration: RegistrationForm) -> RowResult:
        case_data = item.case_data
        case_data["registration"] = registration
        risk = item.risk
        if isinstance(risk, RiskLevel):
            # Validated once per (level, caseworker), dated per row. Decisions are immutable:
            # rows with the same date share one (registers are in date order).
            caseworker = case_data["caseworker_id"]
            day = item.reg_date
            decision = self._risks.get((risk, caseworker, day))
            if decision is None:
                template = self._risks.get((risk, caseworker))
                if template is None:
                    template = RiskDecision(
                        level=risk, decided_on=day, decided_by=caseworker, source_form="1.B"
                    )
                    self._risks[(risk, caseworker)] = template
                decision = _evolve(template, {"decided_on": day})
                if len(self._risks) >= _CACHE_SIZE:
                    self._risks.clear()
                self._risks[(risk, caseworker, day)] = decision
            case_data["risk_history"] = (decision,)
        # Every part is validated above and shares this row's case code, which is all the
        # aggregate's own validator checks; constructing skips re-walking every form.
        case = _evolve(_EMPTY_CASE, case_data)
        return self._accepted(item.row, case, item.problems, "converted")

    def _consent(
        self,
        row: RawRow,
        values: dict[str, Any],
        base: dict[str, Any],
        reg_date: dt.date,
        problems: list[Problem],
    ) -> tuple[ConsentForm | None, bool]:
        """The row's form 1.A (``None`` when it has none or it is invalid: problems say why)
        and whether the child or a caregiver agreed."""
        if not any(k in values for k in _CONSENT_KEYS):
            return None, False
        # Everything but the dates and the header depends on these cells only: the form (or
        # its errors) is worked out once per combination of them.
        key = (
            values.get("consent_child"),
            values.get("consent_caregiver"),
            values.get("consent_caregiver_relationship"),
            values.get("consent_obtained"),
            values.get("consent_mode"),
            values.get("consent_scope"),
            values.get("consent_recipients"),
        )
        cached = self._consent_rows.get(key)
        if cached is None:
            template = self._consent_template(values)
            agreed = isinstance(template, ConsentForm) and (
                template.consent_from_child or template.consent_from_caregiver
            )
            cached = (template, agreed)
            if len(self._consent_rows) < _CACHE_SIZE:
                self._consent_rows[key] = cached
        template, agreed = cached
        if template is None:
            problems.append(
                self._problem(
                    row,
                    "consent_child",
                    ProblemCode.VALUE_IGNORED,
                    _WARNING,
                    {
                        "detail": "qui a donné son accord n'est pas indiqué"
                        if self.options.lang == "fr"
                        else "who agreed is not given"
                    },
                )
            )
            return None, False
        self._default("consent_mode", values)  # counted per row
        if isinstance(template, ValidationError):
            for err in template.errors(include_input=False, include_url=False):
                loc = err["loc"]
                field = _FORM_TO_KEY.get(str(loc[0]) if loc else "", "consent_child")
                problems.append(
                    self._problem(
                        row,
                        field,
                        ProblemCode.FORM_RULE,
                        _WARNING,
                        {"detail": err["msg"], "ignored": True},
                    )
                )
            return None, False
        consent_date = values.get("consent_date")
        day = consent_date.value if isinstance(consent_date, DateValue) else reg_date
        form: ConsentForm = template
        return _evolve(form, {**base, "form_date": day, "consent_date": day}), agreed

    def _consent_template(self, values: dict[str, Any]) -> ConsentForm | ValidationError | None:
        """Form 1.A for a row's consent cells, with a placeholder header and dates, or its
        validation errors; ``None`` when the cells do not say who agreed."""
        givers: list[dict[str, Any]] = []
        child = values.get("consent_child")
        if child is not None:
            givers.append({"relationship": ConsentGiverRelationship.CHILD, "agreed": child})
        caregiver = values.get("consent_caregiver")
        relationship = values.get("consent_caregiver_relationship")
        if caregiver is not None or (relationship is not None and values.get("consent_obtained")):
            agreed = caregiver if caregiver is not None else bool(values.get("consent_obtained"))
            givers.append(
                {
                    "relationship": relationship or ConsentGiverRelationship.LEGAL_GUARDIAN,
                    "agreed": agreed,
                }
            )
        if not givers:
            return None
        agreed_any = any(g["agreed"] for g in givers)
        scope = values.get("consent_scope") if agreed_any else None
        recipients = values.get("consent_recipients") if agreed_any else None
        mode = values.get("consent_mode")
        if mode is None:
            mode = self._defaults.get("consent_mode")  # counted per row by _consent
        shape = (
            tuple((g["relationship"], g["agreed"]) for g in givers),
            mode,
            scope or (),
            recipients or (),
        )
        template = self._consent_shapes.get(shape, _MISS)
        if template is _MISS:
            # The rules of form 1.A depend only on this shape; validate it once with a
            # placeholder header, then give each row its own (already validated) header.
            data: dict[str, Any] = {
                **_PLACEHOLDER_HEADER,
                "consent_date": _PLACEHOLDER_HEADER["form_date"],
                "consent_mode": mode,
                "givers": tuple(givers),
                "information_explained": agreed_any,
            }
            if scope:
                data["consent_scope"] = scope
            if recipients:
                data["recipients"] = recipients
            try:
                template = ConsentForm.model_validate(data, context={"today": self.options.today})
            except ValidationError as exc:
                template = _detached(exc)
            if len(self._consent_shapes) < _CACHE_SIZE:
                self._consent_shapes[shape] = template
        return template  # type: ignore[no-any-return]

    def _invalid(
        self,
        row: RawRow,
        exc: ValidationError,
        problems: list[Problem],
        model: type[Any],
    ) -> RowResult:
        for err in exc.errors(include_input=False, include_url=False):
            loc = err["loc"]
            name = str(loc[0]) if loc else ""
            key = _FORM_TO_KEY.get(name)
            column = self.column_map.index_of(key) if key else None
            label = (
                model.label(name, self.options.lang) if hasattr(model, "label") and name else name
            )
            problem = self._problem(
                row, key, ProblemCode.FORM_RULE, _ERROR, {"detail": err["msg"]}, column=column
            )
            if key is None or FIELDS_BY_KEY.get(key) is None:
                problem = attrs.evolve(problem, params={**problem.params, "field": label or name})
            problems.append(problem)
        return self._rejected(row, problems)

    def _cap(self, problems: list[Problem], row: RawRow) -> tuple[Problem, ...]:
        limit = self.options.max_problems_per_row
        if len(problems) <= limit:
            return tuple(problems)
        problems.sort(key=lambda p: -p.severity.rank)
        kept = problems[:limit]
        kept.append(self._problem(row, None, ProblemCode.TOO_MANY_PROBLEMS, _NOTE, {"max": limit}))
        return tuple(kept)

    def _rejected(self, row: RawRow, problems: list[Problem]) -> RowResult:
        return RowResult(row.number, None, self._cap(problems, row), "rejected")

    def _accepted(
        self,
        row: RawRow,
        case: CaseFile,
        problems: list[Problem],
        outcome: Literal["converted", "not_eligible"],
    ) -> RowResult:
        return RowResult(row.number, case, self._cap(problems, row), outcome)


_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def _evolve(model: _M, update: dict[str, Any]) -> _M:
    """``model.model_copy(update=update)`` for models without extra fields or private
    attributes, minus pydantic's generic copying machinery (the row's hottest path): a new
    instance with the old field values updated by ``update``, which must be valid already."""
    copy = _new(model.__class__)
    fields = dict(model.__dict__)
    fields.update(update)
    _set(copy, "__dict__", fields)
    given = model.__pydantic_fields_set__
    _set(copy, "__pydantic_fields_set__", given | update.keys() if given else set(update))
    _set(copy, "__pydantic_extra__", None)
    _set(copy, "__pydantic_private__", None)
    return copy


_E = TypeVar("_E", bound=BaseException)


def _detached(exc: _E) -> _E:
    """``exc`` without its traceback or the exceptions it was raised from, to keep (cached or
    listed) past its ``except`` block: their frames would hold it, and whatever holds it, in
    reference cycles that only the cyclic garbage collector frees. Conversion creates no cycles
    at all, which lets large registers run with the collector's thresholds raised."""
    exc.__traceback__ = None
    exc.__context__ = None
    exc.__cause__ = None
    return exc


def _name_key(name: str | None) -> str:
    """A cheap accent- and case-insensitive key for duplicate detection."""
    if not name:
        return ""
    return " ".join(name.casefold().translate(_ACCENTS).replace("-", " ").split())


def _split_name(full: str) -> tuple[str | None, str | None]:
    """ "Aminata Traoré" → ("Aminata", "Traoré"); "TRAORE Aminata" → ("Aminata", "TRAORE")."""
    words = full.split()
    if len(words) < 2:
        return (words[0] if words else None), None
    if words[0].isupper() and len(words[0]) > 1 and not all(w.isupper() for w in words[1:]):
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def _org_code(organisation: object) -> str:
    letters = "".join(ch for ch in fold(str(organisation or "")).upper() if ch.isalnum())
    return letters[:8] if len(letters) >= 2 else "ORG"


# -- whole register ------------------------------------------------------------------------------


@attrs.frozen
class Summary:
    """What a conversion did: counts, the column mapping, defaults applied, outputs."""

    register: str
    kind: str
    sheet: str
    header_row: int
    rows_read: int
    rows_blank: int
    converted: int
    not_eligible: int
    rejected: int
    rows_with_warnings: int
    problems_by_code: dict[str, int]
    problems_by_severity: dict[str, int]
    columns: tuple[tuple[str, str, str | None, str], ...]  # (letter, header, target, how)
    defaults_applied: dict[str, int]
    outputs: dict[str, str]
    encoding: str | None = None
    delimiter: str | None = None
    primero: str = "not_requested"
    today: str = ""

    @property
    def exit_code(self) -> int:
        """0 when every row converted, 3 when some were rejected."""
        return 3 if self.rejected else 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (no cell values, no names)."""
        return {
            "register": self.register,
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "reference_date": self.today,
            "rows": {
                "read": self.rows_read,
                "blank": self.rows_blank,
                "converted": self.converted,
                "not_eligible": self.not_eligible,
                "rejected": self.rejected,
                "with_warnings": self.rows_with_warnings,
            },
            "problems": {
                "by_severity": self.problems_by_severity,
                "by_code": self.problems_by_code,
            },
            "columns": [
                {"column": letter, "header": header, "field": target, "how": how}
                for letter, header, target, how in self.columns
            ],
            "defaults_applied": self.defaults_applied,
            "primero": self.primero,
            "outputs": self.outputs,
            "exit_code": self.exit_code,
        }

    def render(self, lang: Lang = "fr") -> str:
        """A short human summary for the terminal."""
        fr = lang == "fr"
        lines = [
            (
                f"Registre : {self.register} (feuille « {self.sheet} », en-tête ligne "
                f"{self.header_row})"
            )
            if fr
            else (
                f"Register: {self.register} (sheet '{self.sheet}', header row {self.header_row})"
            ),
            (
                f"Lignes lues : {self.rows_read}  converties : {self.converted}  "
                f"non éligibles (18+) : {self.not_eligible}  rejetées : {self.rejected}  "
                f"avec avertissements : {self.rows_with_warnings}"
            )
            if fr
            else (
                f"Rows read: {self.rows_read}  converted: {self.converted}  "
                f"not eligible (18+): {self.not_eligible}  rejected: {self.rejected}  "
                f"with warnings: {self.rows_with_warnings}"
            ),
        ]
        unmapped = [h for _, h, t, how in self.columns if t is None and how != "empty"]
        if unmapped:
            lines.append(
                ("Colonnes non reprises : " if fr else "Columns not used: ") + ", ".join(unmapped)
            )
        if self.defaults_applied:
            lines.append(
                ("Valeurs par défaut appliquées : " if fr else "Defaults applied: ")
                + ", ".join(
                    f"{_label(k, lang)} ×{n}" for k, n in sorted(self.defaults_applied.items())
                )
            )
        if self.problems_by_code:
            top = sorted(self.problems_by_code.items(), key=lambda kv: -kv[1])[:8]
            lines.append(
                ("Problèmes : " if fr else "Problems: ")
                + ", ".join(f"{code} ×{n}" for code, n in top)
            )
        for name, path in self.outputs.items():
            lines.append(f"  {name}: {path}")
        return "\n".join(lines)


def _label(key: str, lang: Lang) -> str:
    field = FIELDS_BY_KEY.get(key)
    return field.label(lang) if field else key


def open_sheet(register: RegisterFile, options: ConvertOptions) -> tuple[Sheet, HeaderGuess]:
    """The sheet to read (``--sheet``, the mapping file's, or the one that looks most like a
    register among visible sheets) and its header."""
    config = options.mapping
    extra = {k: v for k, v in config.columns.items() if v != "ignore"}
    wanted = options.sheet or config.sheet
    header_row = options.header_row or config.header_row
    if wanted is not None:
        sheet = register.sheet(wanted)
        head = sheet.head()
    else:
        best: tuple[int, int] | None = None
        chosen: Sheet | None = None
        head = []
        names = register.visible_sheet_names or register.sheet_names
        for order, name in enumerate(names):
            candidate = register.sheet(name)
            rows = candidate.head()
            score = max(score_rows(rows, extra), default=0)
            if best is None or (score, -order) > best:
                best = (score, -order)
                chosen, head = candidate, rows
        if chosen is None:
            raise HeaderNotFoundError(
                "the workbook has no worksheet",
                "le classeur n'a aucune feuille de calcul",
                path=register.path,
            )
        sheet = chosen
    sheet.scan()
    if sheet.merged:
        head = sheet.head()
    guess = find_header(head, extra, header_row=header_row)
    if guess is None:
        raise HeaderNotFoundError(
            "no row among the first 30 looks like column names (e.g. 'Nom', 'Sexe', 'Date de "
            "naissance'); give the header row with a mapping file (header_row = N) or "
            "check the sheet",
            "aucune des 30 premières lignes ne ressemble à des noms de colonnes (ex. « Nom », "
            "« Sexe », « Date de naissance ») ; indiquez la ligne d'en-tête dans un fichier de "
            "correspondance (header_row = N) ou vérifiez la feuille",
            path=register.path,
            sheet=sheet.name,
        )
    return sheet, guess


@contextlib.contextmanager
def _collector_held_back() -> Iterator[None]:
    """Conversion leaves no reference cycles behind (see :func:`_detached`), so the cyclic
    garbage collector has nothing to find; left alone it runs every 700 new objects (about
    once a row with rows in flight), 8% of a conversion's time. Held back meanwhile."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], _GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class _Outputs:
    """Line-oriented outputs written to temporary files in the output directory, renamed into
    place only when the whole conversion succeeded."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._files: dict[str, tuple[str, Any]] = {}

    def open(self, name: str) -> io.TextIOWrapper:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
        handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._files[name] = (tmp, handle)
        return handle

    def open_binary(self, name: str) -> BinaryIO:
        """Like :meth:`open`, for lines that are UTF-8 bytes already (JSON)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
        handle = os.fdopen(fd, "wb", buffering=_WRITE_BUFFER)
        self._files[name] = (tmp, handle)
        return handle

    def path(self, name: str) -> str:
        """The temporary path behind output ``name``."""
        return str(self._files[name][0])

    def commit(self) -> None:
        for name, (tmp, handle) in self._files.items():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(tmp, self.out_dir / name)
        self._files.clear()

    def abort(self) -> None:
        for tmp, handle in self._files.values():
            handle.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._files.clear()


def _primero_mapper() -> Callable[[CaseFile], dict[str, Any]] | None:
    try:
        from cpcase.adapters import primero
    except ImportError:
        return None
    mapper = getattr(primero, "case_to_primero", None)
    return mapper if callable(mapper) else None


def convert_register(
    path: Path | str,
    out_dir: Path | str,
    options: ConvertOptions,
    *,
    progress: Callable[[int], None] | None = None,
    on_sheet: Callable[[Sheet], None] | None = None,
) -> Summary:
    """Convert the register at ``path`` into ``out_dir`` (created if needed); see the module
    docstring for the outputs. Raises a :class:`RegisterError` when the file is unusable; the
    input file is only read. ``progress`` is called with the number of rows done.
    """
    from cpcase.adapters.excel.report import ReportWriter, write_summary

    path = Path(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    mapper = _primero_mapper() if options.primero else None
    with RegisterFile(
        path,
        limits=options.limits,
        encoding=options.mapping.encoding,
        delimiter=options.mapping.delimiter,
    ) as register:
        sheet, guess = open_sheet(register, options)
        if on_sheet is not None:
            on_sheet(sheet)
        column_map = map_columns(list(guess.names), options.mapping)
        converter = RowConverter(column_map, options, sheet=sheet.name, date1904=sheet.date1904)
        outputs = _Outputs(out)
        report = ReportWriter(
            out / "report.xlsx", guess, column_map, options, sheet=sheet.name, register=path.name
        )
        counts: Counter[str] = Counter()
        by_code: Counter[str] = Counter()
        by_severity: Counter[str] = Counter()
        warned = 0
        try:
            cases = outputs.open_binary("cases.jsonl")
            bodies = outputs.open_binary("cases.primero.jsonl") if mapper is not None else None
            index = csv.writer(outputs.open("rows.csv"))
            index.writerow(["row", "outcome", "case_code"])
            with _collector_held_back():
                done = 0
                for chunk in _converted(sheet, guess.row, converter, mapper, options.workers):
                    counts.update(chunk.outcomes)
                    before = done
                    done += len(chunk.numbers)
                    if progress is not None and done // 1000 > before // 1000:
                        progress(done)
                    cases.write(chunk.cases)
                    if bodies is not None:
                        bodies.write(chunk.bodies)
                    index.writerows(zip(chunk.numbers, chunk.outcomes, chunk.codes, strict=True))
                    for row, problems, has_case in chunk.flagged:
                        if has_case and any(p.severity is not _ERROR for p in problems):
                            warned += 1
                        for problem in problems:
                            by_code[problem.code.value] += 1
                            by_severity[problem.severity.value] += 1
                        report.add(row, problems)
            if progress is not None:
                progress(done)
            rows_read = counts["converted"] + counts["rejected"] + counts["not_eligible"]
            primero_state = "not_requested"
            if options.primero:
                primero_state = "written" if mapper is not None else "unavailable"
            summary = Summary(
                register=path.name,
                kind=register.kind,
                sheet=sheet.name,
                header_row=guess.row,
                rows_read=rows_read,
                rows_blank=counts["blank"],
                converted=counts["converted"],
                not_eligible=counts["not_eligible"],
                rejected=counts["rejected"],
                rows_with_warnings=warned,
                problems_by_code=dict(by_code),
                problems_by_severity=dict(by_severity),
                columns=tuple(
                    (column_letter(c.index), c.header, c.target, c.how) for c in column_map.columns
                ),
                defaults_applied=dict(converter.defaults_used),
                outputs={
                    name: str(out / name)
                    for name in (
                        "cases.jsonl",
                        "cases.primero.jsonl",
                        "report.xlsx",
                        "rows.csv",
                        "summary.json",
                    )
                    if name != "cases.primero.jsonl" or mapper is not None
                },
                encoding=register.encoding,
                delimiter=register.delimiter,
                primero=primero_state,
                today=options.today.isoformat(),
            )
            report.close(summary)
            write_summary(out / "summary.json", summary)
            outputs.commit()
        except BaseException:
            outputs.abort()
            report.abort()
            raise
    return summary


# CaseFile.model_dump_json() without decoding its UTF-8 bytes (the lines are written as bytes).
_case_json = CaseFile.__pydantic_serializer__.to_json

#: Registers with more rows than this are converted by worker processes (when they can fork).
PARALLEL_ROWS = 5000


class _Finisher:
    """What becomes of converted rows in the outputs: their cases and Primero bodies as JSON
    lines (UTF-8 bytes)."""

    def __init__(self, mapper: Callable[[CaseFile], dict[str, Any]] | None) -> None:
        self.mapper = mapper

    def __call__(self, row: RawRow, result: RowResult) -> Done:
        """One row's :data:`Done`."""
        lines, bodies = self.lines([result])
        code = "" if result.case is None else result.case.case_code
        return row, result.outcome, result.problems, lines[0], bodies[0], code

    def lines(self, results: list[RowResult]) -> tuple[list[bytes | None], list[bytes | None]]:
        """Rows' case lines and Primero body lines (``None`` where a row has none), in order;
        stage by stage (all cases' JSON, then all bodies), as in :meth:`RowConverter.complete`.
        """
        lines = [None if r.case is None else _case_json(r.case) for r in results]
        bodies: list[bytes | None] = [None] * len(results)
        mapper = self.mapper
        if mapper is not None:
            converted = [
                (i, r.case)
                for i, r in enumerate(results)
                if r.case is not None and r.outcome == "converted"
            ]
            mapped = [mapper(case) for _, case in converted]
            # pydantic-core's encoder: compact UTF-8 JSON, twice as fast as the json module.
            for (i, _), data in zip(converted, mapped, strict=True):
                bodies[i] = to_json(data)
        return lines, bodies

    def chunk(self, rows: list[RawRow], results: list[RowResult]) -> Chunk:
        """Rows converted in this process, as the outputs take them."""
        lines, bodies = self.lines(results)
        return Chunk(
            [row.number for row in rows],
            [result.outcome for result in results],
            ["" if result.case is None else result.case.case_code for result in results],
            join_lines([line for line in lines if line is not None]),
            join_lines([body for body in bodies if body is not None]),
            [
                (row, result.problems, result.case is not None)
                for row, result in zip(rows, results, strict=True)
                if result.problems
            ],
        )


# Rows converted at a time in one process (see RowConverter.complete).
_BATCH = 256


def _converted(
    sheet: Sheet,
    header_row: int,
    converter: RowConverter,
    mapper: Callable[[CaseFile], dict[str, Any]] | None,
    workers: int,
) -> Iterator[Chunk]:
    """Every row below the header, converted, in order and in chunks: by worker processes for
    large registers (see :mod:`cpcase.adapters.excel._parallel`), else here."""
    finish = _Finisher(mapper)
    if workers == 0:
        large = sheet.row_count_estimate > PARALLEL_ROWS
        workers = (os.cpu_count() or 1) if large else 1
    # Merged cells below the header are filled in row order, which needs one reader.
    merged_rows = any(m.max_row > header_row for m in sheet.merged)
    if isinstance(converter._claims, _Claims):
        converter._claims.reserve(sheet.row_count_estimate)
    if workers > 1 and can_fork() and not merged_rows:
        yield from convert_parallel(
            sheet, header_row, converter, finish, workers - 1, recorder=_Recorder()
        )
        return
    batch: list[RawRow] = []
    for row in sheet.rows():
        if row.number > header_row:
            batch.append(row)
            if len(batch) >= _BATCH:
                yield finish.chunk(batch, converter.convert_many(batch))
                batch = []
    if batch:
        yield finish.chunk(batch, converter.convert_many(batch))
