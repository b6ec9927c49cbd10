"""Anonymised case codes: format, parse, generator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.codes import DEFAULT_CASE_CODE_FORMAT, CaseCodeFormat, CaseCodeGenerator
from cpcase.errors import CaseCodeError

segments = st.from_regex(r"[A-Z0-9]{2,8}", fullmatch=True)


@given(
    country=st.from_regex(r"[A-Z]{2,3}", fullmatch=True),
    region=segments,
    org=segments,
    year=st.integers(1900, 9999),
    seq=st.integers(1, 10**9 - 1),
)
def test_format_parse_round_trip(country: str, region: str, org: str, year: int, seq: int) -> None:
    """parse(format(parts)) gives the parts back."""
    code = DEFAULT_CASE_CODE_FORMAT.format(
        country=country, region=region, org=org, year=year, seq=seq
    )
    parsed = DEFAULT_CASE_CODE_FORMAT.parse(code)
    assert (parsed.country, parsed.region, parsed.org, parsed.year, parsed.seq) == (
        country,
        region,
        org,
        year,
        seq,
    )
    assert str(parsed) == code


def test_default_example() -> None:
    """The documented default shape."""
    assert (
        DEFAULT_CASE_CODE_FORMAT.format(country="ML", region="MOP", org="ORG", year=2026, seq=42)
        == "ML-MOP-ORG-2026-00042"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "ML-MOP-ORG-2026",
        "ml-mop-org-2026-00042",
        "ML-MOP-ORG-26-00042",
        "ML-MOP-ORG-2026-42",
        "Aminata-Traore-2026-00001",
        "ML MOP ORG 2026 00042",
    ],
)
def test_invalid_codes_rejected(bad: str) -> None:
    """Malformed codes (lower case, short seq, names with mixed case) are refused."""
    assert not DEFAULT_CASE_CODE_FORMAT.is_valid(bad)
    with pytest.raises(CaseCodeError):
        DEFAULT_CASE_CODE_FORMAT.parse(bad)


@pytest.mark.parametrize(("part", "value"), [("region", "Mopti"), ("org", "a"), ("country", "ml")])
def test_generator_refuses_name_like_parts(part: str, value: str) -> None:
    """Parts must be short upper-case codes: a name cannot slip into a code."""
    kwargs = {"country": "ML", "region": "MOP", "org": "TDH", "year": 2026} | {part: value}
    with pytest.raises(CaseCodeError):
        CaseCodeGenerator(**kwargs)  # type: ignore[arg-type]


def test_generator_is_sequential_and_unique() -> None:
    """Successive codes are unique and increasing."""
    gen = CaseCodeGenerator(country="ML", region="SGO", org="ORG1", year=2025)
    codes = [gen.next() for _ in range(200)]
    assert len(set(codes)) == 200
    assert [DEFAULT_CASE_CODE_FORMAT.parse(c).seq for c in codes] == list(range(1, 201))


def test_custom_format() -> None:
    """A custom template with a different separator and width round-trips."""
    fmt = CaseCodeFormat(template="{country}/{org}/{year}/{region}/{seq}", seq_width=4)
    code = fmt.format(country="CF", region="BGF", org="ACF", year=2024, seq=7)
    assert code == "CF/ACF/2024/BGF/0007"
    assert fmt.parse(code).region == "BGF"
    with pytest.raises(CaseCodeError):
        CaseCodeFormat(template="{country}-{seq}")
