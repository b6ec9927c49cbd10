"""Anonymised case codes (SOP §6.1.2 L1142: every file gets an anonymised identifier).

The seed is silent on the format (requirements §9.4). The default follows the proposed
``{country}-{region}-{org}-{year}-{seq}`` shape, e.g. ``ML-MOP-ORG-2026-00042``. A code never
contains anything derived from a name: the generator only accepts short upper-case location and
organisation codes, a year and a sequence number.

>>> fmt = CaseCodeFormat()
>>> fmt.format(country="ML", region="MOP", org="ORG", year=2026, seq=42)
'ML-MOP-ORG-2026-00042'
>>> fmt.parse("ML-MOP-ORG-2026-00042").seq
42
>>> fmt.is_valid("ml-mop-org-2026-42")
False
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import attrs

from cpcase.errors import CaseCodeError

__all__ = ["DEFAULT_CASE_CODE_FORMAT", "CaseCode", "CaseCodeFormat", "CaseCodeGenerator"]

_SEGMENT = re.compile(r"^[A-Z0-9]{2,8}$")
_PLACEHOLDERS = ("country", "region", "org", "year", "seq")


@functools.lru_cache(maxsize=64)
def _compiled_regex(template: str, seq_width: int) -> re.Pattern[str]:
    """The anchored regex for a template; cached because parse() runs once per row."""
    pattern = re.escape(template)
    for name, sub in (
        ("country", r"(?P<country>[A-Z]{2,3})"),
        ("region", r"(?P<region>[A-Z0-9]{2,8})"),
        ("org", r"(?P<org>[A-Z0-9]{2,8})"),
        ("year", r"(?P<year>\d{4})"),
        ("seq", rf"(?P<seq>\d{{{seq_width},9}})"),
    ):
        pattern = pattern.replace(re.escape("{" + name + "}"), sub)
    return re.compile(f"^{pattern}$")


@attrs.frozen
class CaseCode:
    """The parts of a parsed case code."""

    country: str
    region: str
    org: str
    year: int
    seq: int

    def __str__(self) -> str:
        return DEFAULT_CASE_CODE_FORMAT.format(
            country=self.country, region=self.region, org=self.org, year=self.year, seq=self.seq
        )


@attrs.frozen
class CaseCodeFormat:
    """A case-code format: a template over ``{country} {region} {org} {year} {seq}``.

    ``seq_width`` zero-pads the sequence number. Every placeholder must appear exactly once;
    literal text between them is kept verbatim (typically ``-``).
    """

    template: str = "{country}-{region}-{org}-{year}-{seq}"
    seq_width: int = 5

    def __attrs_post_init__(self) -> None:
        for name in _PLACEHOLDERS:
            if self.template.count("{" + name + "}") != 1:
                raise CaseCodeError(f"case-code template must contain {{{name}}} exactly once")
        if not 1 <= self.seq_width <= 9:
            raise CaseCodeError("seq_width must be between 1 and 9")

    def _regex(self) -> re.Pattern[str]:
        return _compiled_regex(self.template, self.seq_width)

    def format(self, *, country: str, region: str, org: str, year: int, seq: int) -> str:
        """Build a code, checking each part (upper-case codes, 4-digit year, positive seq)."""
        for label, value in (("country", country), ("region", region), ("org", org)):
            if not _SEGMENT.match(value):
                raise CaseCodeError(f"case-code {label} must be 2-8 upper-case letters or digits")
        if not 1900 <= year <= 9999:
            raise CaseCodeError("case-code year must have four digits")
        if not 1 <= seq < 10**9:
            raise CaseCodeError("case-code sequence must be a positive number")
        code = self.template.format(
            country=country, region=region, org=org, year=year, seq=f"{seq:0{self.seq_width}d}"
        )
        self.parse(code)  # guarantees format() and parse() agree
        return code

    def parse(self, code: str) -> CaseCode:
        """Split a code into its parts; :class:`CaseCodeError` if it does not match."""
        match = self._regex().match(code)
        if match is None:
            raise CaseCodeError(f"not a case code in the format {self.template!r}")
        return CaseCode(
            country=match["country"],
            region=match["region"],
            org=match["org"],
            year=int(match["year"]),
            seq=int(match["seq"]),
        )

    def is_valid(self, code: str) -> bool:
        """Whether ``code`` matches this format."""
        try:
            self.parse(code)
        except CaseCodeError:
            return False
        return True


DEFAULT_CASE_CODE_FORMAT = CaseCodeFormat()


@attrs.define
class CaseCodeGenerator:
    """Hands out successive codes for one organisation, region and year.

    ``start`` is the next sequence number; persist ``next_seq`` between sessions (the
    generator keeps no hidden state elsewhere).

    >>> gen = CaseCodeGenerator(country="ML", region="MOP", org="TDH", year=2026, start=41)
    >>> gen.next(), gen.next()
    ('ML-MOP-TDH-2026-00041', 'ML-MOP-TDH-2026-00042')
    """

    country: str
    region: str
    org: str
    year: int
    start: int = 1
    fmt: CaseCodeFormat = DEFAULT_CASE_CODE_FORMAT
    next_seq: int = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.next_seq = self.start
        # Validate the fixed parts once, up front.
        self.fmt.format(
            country=self.country, region=self.region, org=self.org, year=self.year, seq=1
        )

    def next(self) -> str:
        """The next code."""
        code = self.fmt.format(
            country=self.country,
            region=self.region,
            org=self.org,
            year=self.year,
            seq=self.next_seq,
        )
        self.next_seq += 1
        return code

    def __iter__(self) -> Iterator[str]:
        while True:
            yield self.next()
