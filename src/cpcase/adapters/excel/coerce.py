"""Turn raw cell values into typed values, the same way whatever the reader.

Each coercer takes a :data:`~cpcase.adapters.excel.cells.CellValue` (never ``None``: empty cells
are handled by the caller) and returns a typed value or raises :class:`CoercionError` carrying
a :class:`~cpcase.adapters.excel.problems.ProblemCode`, template parameters and a suggestion.
Nothing here reads the clock: the reference date comes in :class:`DateOptions`.

>>> opts = DateOptions(today=dt.date(2024, 6, 1))
>>> parse_date("12/03/2019", opts).value
datetime.date(2019, 3, 12)
>>> parse_date(43536.0, opts).value          # Excel serial, 1900 system
datetime.date(2019, 3, 12)
>>> parse_date("12 mars 2019", opts).value
datetime.date(2019, 3, 12)
>>> parse_age("6 mois")
AgeValue(years=0, months=6, estimated=False)
>>> parse_bool("X"), parse_bool("Non")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar, cast

import attrs

from cpcase.adapters.excel._text import clean_text, fold, strip_hints
from cpcase.adapters.excel.cells import CellValue, ExcelError
from cpcase.adapters.excel.problems import ProblemCode
from cpcase.labels import LabelledEnum

__all__ = [
    "BLANK_MARKERS",
    "AgeValue",
    "CoercionError",
    "DateOptions",
    "DateValue",
    "EnumIndex",
    "excel_serial_to_date",
    "is_blank",
    "parse_age",
    "parse_bool",
    "parse_date",
    "parse_int",
    "parse_phone",
    "parse_text",
    "short_label",
    "split_multi",
    "vocab_member",
]

E = TypeVar("E", bound=LabelledEnum)

#: Cell contents that mean "not filled in" (after folding): dashes, "n/a", "inconnu"...
BLANK_MARKERS = frozenset(
    {
        "",
        "n a",
        "na",
        "nd",
        "n d",
        "ns",
        "nsp",
        "inconnu",
        "inconnue",
        "unknown",
        "ne sait pas",
        "non renseigne",
        "non renseignee",
        "none",
        "null",
        "neant",
    }
)
_BLANK_RAW = frozenset({"-", "--", "---", "/", "?", "??", ".", "…", "...", "x/x"})
_BLANK_LOWER = frozenset(
    {
        "n/a",
        "n.a.",
        "n.a",
        "na",
        "nd",
        "n.d.",
        "n.d",
        "ns",
        "nsp",
        "inconnu",
        "inconnue",
        "unknown",
        "ne sait pas",
        "none",
        "null",
        "neant",
        "non renseigne",
        "non renseignee",
        "#n/d",
    }
)


class CoercionError(ValueError):
    """A value could not be coerced; carries the problem code and template parameters."""

    def __init__(
        self,
        code: ProblemCode,
        params: Mapping[str, Any] | None = None,
        *,
        suggestion_fr: str | None = None,
        suggestion_en: str | None = None,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        self.suggestion_fr = suggestion_fr
        self.suggestion_en = suggestion_en


def is_blank(value: CellValue) -> bool:
    """Whether a cell counts as not filled in: empty, spaces, "-", "n/a", "inconnu"..."""
    if value is None:
        return True
    if value.__class__ is not str:
        return False
    text = str(value)
    if len(text) > 24 and not text[0].isspace() and not text[-1].isspace():
        return False
    text = text.strip()
    if not text or text in _BLANK_RAW:
        return True
    if len(text) > 20:
        return False
    lowered = text.lower()
    if lowered in _BLANK_LOWER:
        return True
    return not text.isascii() and fold(text) in BLANK_MARKERS


def _check_error(value: CellValue) -> None:
    if isinstance(value, ExcelError):
        raise CoercionError(ProblemCode.EXCEL_ERROR, {"detail": value.code})


# -- text ---------------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def parse_text(value: CellValue, *, max_chars: int = 5000) -> str:
    """Cell as clean text: integers without ".0", dates in ISO form, NBSP and spacing fixed."""
    _check_error(value)
    if isinstance(value, str):
        text = clean_text(value)
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        text = _number_text(float(value))
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = clean_text(str(value))
    if len(text) > max_chars:
        raise CoercionError(ProblemCode.TEXT_TOO_LONG, {"max": max_chars})
    return text


def parse_phone(value: CellValue) -> tuple[str, bool]:
    """Phone number as text, and whether it came as a number that may have lost a leading 0."""
    _check_error(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(float(value))
        return text, len(text) < 8
    return parse_text(value, max_chars=200), False


# -- numbers and booleans --------------------------------------------------------------------


_INT = re.compile(r"^[+-]?\d+(?:[.,]0+)?$")


def parse_int(value: CellValue) -> int:
    """A whole number from a number cell or text ("12", "12,0", "1 200")."""
    _check_error(value)
    if isinstance(value, bool):
        raise CoercionError(ProblemCode.NUMBER_UNREADABLE)
    if isinstance(value, (int, float)):
        if math.isfinite(value) and value == int(value):
            return int(value)
        raise CoercionError(ProblemCode.NUMBER_UNREADABLE)
    if isinstance(value, str):
        text = clean_text(value).replace(" ", "")
        if _INT.match(text):
            return int(re.split(r"[.,]", text)[0])
    raise CoercionError(ProblemCode.NUMBER_UNREADABLE)


_TRUE = frozenset(
    {
        "oui",
        "o",
        "yes",
        "y",
        "x",
        "vrai",
        "true",
        "1",
        "ok",
        "coche",
        "si",
        "v",
        "✓",
        "✔",
        "☑",
        "✅",
        "affirmatif",
        "oui oui",
    }
)
_FALSE = frozenset(
    {
        "non",
        "n",
        "no",
        "faux",
        "false",
        "0",
        "aucun",
        "aucune",
        "pas",
        "✗",
        "✘",
        "☐",
        "negatif",
        "non non",
    }
)


def parse_bool(value: CellValue) -> bool:
    """Oui/Non, Yes/No, X (ticked), VRAI/FAUX, 1/0 and boolean cells."""
    _check_error(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return value == 1
        raise CoercionError(ProblemCode.YES_NO_UNREADABLE)
    if isinstance(value, str):
        raw = value.strip()
        if raw in ("✓", "✔", "☑", "✅"):
            return True
        if raw in ("✗", "✘", "☐"):
            return False
        key = fold(raw)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise CoercionError(ProblemCode.YES_NO_UNREADABLE)


# -- dates --------------------------------------------------------------------------------------

_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)
_MAX_SERIAL = 2_958_465  # 9999-12-31


def excel_serial_to_date(serial: float, *, date1904: bool = False) -> dt.date:
    """The calendar date of an Excel serial number in the 1900 or 1904 date system.

    The 1900 system counts 1900-02-29, which never existed (Lotus compatibility), so serials
    below 61 are shifted by one day.

    >>> excel_serial_to_date(1), excel_serial_to_date(61), excel_serial_to_date(43536)
    (datetime.date(1900, 1, 1), datetime.date(1900, 3, 1), datetime.date(2019, 3, 12))
    >>> excel_serial_to_date(42074, date1904=True)
    datetime.date(2019, 3, 12)
    """
    whole = math.floor(serial)
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=whole)
    if whole < 61:
        return dt.date(1899, 12, 31) + dt.timedelta(days=whole)
    return _EPOCH_1900 + dt.timedelta(days=whole)


@attrs.frozen
class DateOptions:
    """How to read dates: the reference day, day-first or month-first text, the date system."""

    today: dt.date
    dayfirst: bool = True
    date1904: bool = False
    earliest: dt.date = dt.date(1900, 1, 1)


@attrs.frozen
class DateValue:
    """A parsed date and its precision (a year or month alone gives a partial date)."""

    value: dt.date
    precision: Literal["day", "month", "year"] = "day"


_MONTHS = {
    **dict.fromkeys(("janvier", "janv", "jan", "january"), 1),
    **dict.fromkeys(("fevrier", "fevr", "fev", "feb", "february"), 2),
    **dict.fromkeys(("mars", "mar", "march"), 3),
    **dict.fromkeys(("avril", "avr", "apr", "april"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juin", "jun", "june"), 6),
    **dict.fromkeys(("juillet", "juil", "jul", "july"), 7),
    **dict.fromkeys(("aout", "aou", "aug", "august"), 8),
    **dict.fromkeys(("septembre", "sept", "sep", "september"), 9),
    **dict.fromkeys(("octobre", "oct", "october"), 10),
    **dict.fromkeys(("novembre", "nov", "november"), 11),
    **dict.fromkeys(("decembre", "dec", "december"), 12),
}
_WEEKDAYS = frozenset(
    {
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "le",
        "the",
        "on",
    }
)
_TIME_TAIL = r"(?:[ Tt]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME_TAIL}$", re.I)
_DMY = re.compile(rf"^(\d{{1,2}})\s*[-/.]\s*(\d{{1,2}})\s*[-/.]\s*(\d{{4}}|\d{{2}}){_TIME_TAIL}$")
_DMY_SPACE = re.compile(r"^(\d{1,2}) (\d{1,2}) (\d{4})$")
_COMPACT = re.compile(r"^\d{8}$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_SERIAL = re.compile(r"^\d{4,7}(?:[.,]\d+)?$")


def _year(text: str, opts: DateOptions) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
        if year > opts.today.year:
            year -= 100
    return year


def _build(year: int, month: int, day: int, raw_hint: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CoercionError(
            ProblemCode.DATE_IMPOSSIBLE, {"detail": f"{day:02d}/{month:02d}/{year}"}
        ) from None


def _expected(opts: DateOptions) -> str:
    return "25/03/2019" if opts.dayfirst else "03/25/2019"


def _textual(words: list[str], opts: DateOptions) -> DateValue | None:
    """ "12 mars 2019", "mars 2019", "March 12, 2019", "1er janvier 2020"."""
    words = [w for w in words if w not in _WEEKDAYS]
    if len(words) == 3:
        first, second, third = words
        if first.rstrip("er") in ("1",) and first.startswith("1er"):
            first = "1"
        if first.isdigit() and second in _MONTHS and third.isdigit():
            return DateValue(_build(_year(third, opts), _MONTHS[second], int(first), ""))
        if first in _MONTHS and second.isdigit() and third.isdigit():
            return DateValue(_build(_year(third, opts), _MONTHS[first], int(second), ""))
    if len(words) == 2 and words[0] in _MONTHS and words[1].isdigit() and len(words[1]) == 4:
        return DateValue(dt.date(int(words[1]), _MONTHS[words[0]], 15), "month")
    return None


def _parse_date_text(text: str, opts: DateOptions) -> DateValue:
    if m := _ISO.match(text):
        return DateValue(_build(int(m[1]), int(m[2]), int(m[3]), text))
    if (m := _DMY.match(text)) or (m := _DMY_SPACE.match(text)):
        a, b, year = int(m[1]), int(m[2]), _year(m[3], opts)
        day, month = (a, b) if opts.dayfirst else (b, a)
        if month > 12 and day <= 12:
            swapped = f"{month:02d}/{day:02d}/{year}" if opts.dayfirst else ""
            raise CoercionError(
                ProblemCode.DATE_IMPOSSIBLE,
                {"detail": f"mois {month}" if opts.dayfirst else f"month {month}"},
                suggestion_fr=(
                    f"date au format mois/jour ? Saisissez {swapped}" if swapped else None
                ),
                suggestion_en=f"month/day order? Type {swapped}" if swapped else None,
            )
        return DateValue(_build(year, month, day, text))
    if _COMPACT.match(text):
        head = int(text[:4])
        if 1900 <= head <= 2100 and 1 <= int(text[4:6]) <= 12:
            return DateValue(_build(head, int(text[4:6]), int(text[6:]), text))
        return DateValue(_build(int(text[4:]), int(text[2:4]), int(text[:2]), text))
    if m := _MONTH_YEAR.match(text):
        month, year = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return DateValue(dt.date(year, month, 15), "month")
    if m := _YEAR_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return DateValue(dt.date(year, month, 15), "month")
    if m := _YEAR.match(text):
        year = int(m[1])
        if 1900 <= year <= 2100:
            return DateValue(dt.date(year, 7, 1), "year")
    if _SERIAL.match(text):
        serial = float(text.replace(",", "."))
        if 10_000 <= serial <= _MAX_SERIAL:
            return DateValue(excel_serial_to_date(serial, date1904=opts.date1904))
    folded = fold(text.replace("1er", "1"))
    parsed = _textual(folded.split(), opts)
    if parsed is not None:
        return parsed
    raise CoercionError(ProblemCode.DATE_UNREADABLE, {"expected": _expected(opts)})


def parse_date(value: CellValue, opts: DateOptions, *, past_only: bool = True) -> DateValue:
    """A date from a date cell, an Excel serial number, or text typed in any common way.

    Text is read day-first unless ``opts.dayfirst`` is false; ISO ``2019-03-12`` is always
    year-first. A year alone ("2012") or a month ("mars 2012", "03/2012") gives a partial date
    (1 July, or the 15th). Dates before ``opts.earliest`` or, with ``past_only``, after
    ``opts.today`` are refused.
    """
    _check_error(value)
    if isinstance(value, dt.datetime):
        result = DateValue(value.date())
    elif isinstance(value, dt.date):
        result = DateValue(value)
    elif isinstance(value, bool):
        raise CoercionError(ProblemCode.DATE_UNREADABLE, {"expected": _expected(opts)})
    elif isinstance(value, (int, float)):
        number = float(value)
        if number == int(number) and 1900 <= number <= 2100:
            result = DateValue(dt.date(int(number), 7, 1), "year")
        elif 10_000 <= number <= _MAX_SERIAL:
            result = DateValue(excel_serial_to_date(number, date1904=opts.date1904))
        else:
            raise CoercionError(ProblemCode.DATE_UNREADABLE, {"expected": _expected(opts)})
    elif isinstance(value, str):
        text = clean_text(value).lower()
        result = _parse_date_text(text, opts)
    else:
        raise CoercionError(ProblemCode.DATE_UNREADABLE, {"expected": _expected(opts)})
    if result.value < opts.earliest:
        raise CoercionError(
            ProblemCode.DATE_IMPLAUSIBLE, {"detail": f"avant/before {opts.earliest.year}"}
        )
    if past_only and result.value > opts.today:
        if result.precision != "day" and result.value.year == opts.today.year:
            return DateValue(opts.today, result.precision)
        raise CoercionError(ProblemCode.DATE_IN_FUTURE)
    return result


# -- ages ---------------------------------------------------------------------------------------


@attrs.frozen
class AgeValue:
    """An age in completed years (plus months for infants) and whether it was estimated."""

    years: int
    months: int | None = None
    estimated: bool = False


_AGE = re.compile(
    r"^(?P<approx>environ|env|vers|approx|approximativement|about|around|~|\+/-|\+-|±)?\s*"
    r"(?P<n>\d{1,3}(?:[.,]\d+)?)\s*"
    r"(?:-\s*(?P<n2>\d{1,3})\s*)?"
    r"(?P<unit>ans?|annees?|yrs?|years?|y|a|mois|months?|m|mo)?\s*"
    r"(?:(?:et\s*|and\s*|,\s*)?(?P<m>\d{1,2})\s*(?:mois|months?|m|mo))?\s*"
    r"(?P<approx2>environ|env|approx|about|\?|~)?$"
)
_INFANT = frozenset({"nouveau ne", "nouveau nee", "nourrisson", "bebe", "newborn", "infant"})


def parse_age(value: CellValue) -> AgeValue:
    """An age from a number or text: "12", "12 ans", "6 mois", "1 an 6 mois", "environ 12 ans".

    A range ("12-13 ans") gives its lower bound, marked estimated. Ages above 30 are refused
    (a year or a date typed in the age column).
    """
    _check_error(value)
    if isinstance(value, bool):
        raise CoercionError(ProblemCode.AGE_UNREADABLE)
    if isinstance(value, (int, float)):
        number = float(value)
        if not (0 <= number <= 30) or not math.isfinite(number):
            raise CoercionError(ProblemCode.AGE_UNREADABLE)
        whole = int(number)
        if number == whole:
            return AgeValue(whole)
        return AgeValue(
            whole, round((number - whole) * 12) if whole == 0 else None, estimated=True
        )
    if not isinstance(value, str):
        raise CoercionError(ProblemCode.AGE_UNREADABLE)
    text = clean_text(value).lower()
    folded = fold(text)
    if folded in _INFANT:
        return AgeValue(0, 0, estimated=True)
    text = text.replace("â", "a").replace("é", "e").replace("è", "e")
    match = _AGE.match(text)
    if match is None:
        raise CoercionError(ProblemCode.AGE_UNREADABLE)
    number = float(match["n"].replace(",", "."))
    estimated = bool(match["approx"] or match["approx2"] or match["n2"])
    unit = (match["unit"] or "ans").rstrip("s")
    if unit in ("moi", "month", "m", "mo"):
        years, months = divmod(int(number), 12)
        age = AgeValue(years, months if years == 0 else None, estimated=estimated)
    else:
        years = int(number)
        extra_months = int(match["m"]) if match["m"] else None
        if number != years:
            estimated = True
        if extra_months is not None and extra_months >= 12:
            raise CoercionError(ProblemCode.AGE_UNREADABLE)
        age = AgeValue(years, extra_months if years == 0 else None, estimated=estimated)
    if age.years > 30:
        raise CoercionError(ProblemCode.AGE_UNREADABLE)
    return age


# -- vocabularies ---------------------------------------------------------------------------------


def vocab_member(vocab: type[E], code: str) -> E:
    """The member of ``vocab`` whose code is ``code`` (``ValueError`` if none)."""
    member = vocab._value2member_map_.get(code)
    if member is None:
        raise ValueError(f"{vocab.__name__}: no value {code!r}")
    return cast("E", member)


def short_label(member: LabelledEnum, lang: Literal["fr", "en"]) -> str:
    """A label fit for a dropdown: the part before " : " ("Risque élevé", "High risk") when
    that part names no other value of the vocabulary, else the whole label."""
    return _short_labels(type(member), lang)[member.value]


@lru_cache(maxsize=256)
def _short_labels(vocab: type[LabelledEnum], lang: Literal["fr", "en"]) -> dict[str, str]:
    heads = {m.value: m.label(lang).split(" : ", 1)[0].split(": ", 1)[0].strip() for m in vocab}
    counts = Counter(heads.values())
    return {
        m.value: heads[m.value] if counts[heads[m.value]] == 1 else m.label(lang) for m in vocab
    }


class EnumIndex(Generic[E]):
    """Finds a vocabulary member from what people type: code, French or English label, short
    label, CPIMS+ option id, or a synonym; case, accents and punctuation are ignored.
    """

    def __init__(
        self,
        vocab: type[E],
        synonyms: Mapping[str, str] | None = None,
        *,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self.vocab = vocab
        self._index: dict[str, E] = {}
        self._ambiguous: set[str] = set()
        for member in vocab:
            keys = [
                member.value,
                member.value.replace("_", " "),
                member.label_fr,
                member.label_en,
                short_label(member, "fr"),
                short_label(member, "en"),
                strip_hints(member.label_fr),
                strip_hints(member.label_en),
            ]
            if member.cpims:
                keys.append(member.cpims)
            for key in keys:
                self._add(key, member, weak=False)
        for table in (synonyms, extra):
            for raw, code in (table or {}).items():
                member = vocab_member(vocab, code)
                key = fold(raw)
                self._index[key] = member  # explicit synonyms override derived keys
                self._ambiguous.discard(key)

    def _add(self, raw: str, member: E, *, weak: bool) -> None:
        key = fold(raw)
        if not key:
            return
        existing = self._index.get(key)
        if existing is not None and existing is not member:
            self._ambiguous.add(key)
            return
        self._index[key] = member

    def lookup(self, text: str) -> E | None:
        """The member ``text`` names, or ``None``."""
        key = fold(text)
        if key in self._ambiguous:
            return None
        member = self._index.get(key)
        if member is None:
            hint_free = fold(strip_hints(text))
            if hint_free != key and hint_free not in self._ambiguous:
                member = self._index.get(hint_free)
        return member

    def examples(self, lang: Literal["fr", "en"], limit: int = 6) -> str:
        """A few valid values, for messages."""
        labels = [short_label(m, lang) for m in self.vocab]
        more = "…" if len(labels) > limit else ""
        return ", ".join(labels[:limit]) + more

    def suggest(self, text: str, lang: Literal["fr", "en"]) -> str | None:
        """The closest valid label, for a "did you mean" suggestion."""
        import difflib

        key = fold(text)
        close = difflib.get_close_matches(key, list(self._index), n=1, cutoff=0.72)
        if not close:
            return None
        return short_label(self._index[close[0]], lang)

    def parse(self, value: CellValue) -> E:
        """The member named by a cell, or :class:`CoercionError` with a suggestion."""
        _check_error(value)
        if isinstance(value, float) and value == int(value):
            text = str(int(value))
        elif isinstance(value, bool):
            text = "oui" if value else "non"
        else:
            text = str(value)
        member = self.lookup(text)
        if member is not None:
            return member
        fr = self.suggest(text, "fr")
        en = self.suggest(text, "en")
        raise CoercionError(
            ProblemCode.VALUE_NOT_IN_LIST,
            {"expected_fr": self.examples("fr"), "expected_en": self.examples("en")},
            suggestion_fr=f"vouliez-vous dire « {fr} » ?" if fr else None,
            suggestion_en=f"did you mean '{en}'?" if en else None,
        )

    def parse_many(self, value: CellValue) -> tuple[E, ...]:
        """Members listed in one cell, separated by ``;`` ``,`` ``/`` ``+`` or line breaks."""
        _check_error(value)
        if not isinstance(value, str):
            return (self.parse(value),)
        whole = self.lookup(value)
        if whole is not None:
            return (whole,)
        out: list[E] = []
        for part in split_multi(value):
            member = self.lookup(part)
            if member is None:
                pieces = [p for p in re.split(r"[,/+]| et | and ", part) if p.strip()]
                if len(pieces) == 1:
                    self.parse(part)  # raises with a suggestion
                for piece in pieces:
                    member = self.parse(piece)
                    if member not in out:
                        out.append(member)
            elif member not in out:
                out.append(member)
        return tuple(out)


def split_multi(text: str) -> list[str]:
    """Split a multi-valued cell on ``;`` and line breaks (commas and slashes are split later,
    only when the whole part is not itself a value, because labels contain commas)."""
    return [p.strip() for p in re.split(r"[;\n•]", clean_text(text)) if p.strip()]


def _iter_pairs(table: Mapping[str, Iterable[str]]) -> Iterable[tuple[str, str]]:
    for code, words in table.items():
        for word in words:
            yield word, code
