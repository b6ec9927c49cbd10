"""Value coercion: dates typed every way, ages, yes/no, vocabulary variants, text clean-up."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.adapters.excel._text import clean_text, fold, fold_header
from cpcase.adapters.excel.cells import ExcelError
from cpcase.adapters.excel.coerce import (
    AgeValue,
    CoercionError,
    DateOptions,
    EnumIndex,
    excel_serial_to_date,
    is_blank,
    parse_age,
    parse_bool,
    parse_date,
    parse_phone,
    parse_text,
    short_label,
)
from cpcase.adapters.excel.columns import VALUE_SYNONYMS
from cpcase.adapters.excel.problems import ProblemCode
from cpcase.vocab import ProtectionConcern, RiskLevel, Sex

TODAY = dt.date(2024, 6, 1)
OPTS = DateOptions(today=TODAY)
MARCH_12 = dt.date(2019, 3, 12)


@pytest.mark.parametrize(
    "raw",
    [
        "12/03/2019",
        "12-03-2019",
        "12.03.2019",
        "12/3/19",
        "12-3-19",
        " 12 / 03 / 2019 ",
        "12 03 2019",
        "2019-03-12",
        "2019/03/12",
        "2019-03-12T00:00:00",
        "12/03/2019 00:00:00",
        "12032019",
        "20190312",
        "12 mars 2019",
        "12 MARS 2019",
        "mardi 12 mars 2019",
        "12 March 2019",
        "March 12, 2019",
        "12\u00a0mars\u00a02019",
        "43536",
        43536.0,
        43536,
        MARCH_12,
        dt.datetime(2019, 3, 12, 14, 30),  # noqa: DTZ001 - Excel date-times are naive
    ],
)
def test_every_date_style_reads_as_the_same_day(raw: object) -> None:
    """Date cells, serial numbers and text typed in the usual ways all give 12 March 2019."""
    result = parse_date(raw, OPTS)  # type: ignore[arg-type]
    assert result.value == MARCH_12
    assert result.precision == "day"


def test_month_first_when_configured() -> None:
    """With dayfirst off, 03/12/2019 is 12 March; ISO dates stay year-first."""
    opts = DateOptions(today=TODAY, dayfirst=False)
    assert parse_date("03/12/2019", opts).value == MARCH_12
    assert parse_date("2019-03-12", opts).value == MARCH_12


def test_excel_serial_dates_in_both_systems() -> None:
    """The 1900 system (with its phantom 29 February) and the 1904 system (old Mac Excel)."""
    assert excel_serial_to_date(1) == dt.date(1900, 1, 1)
    assert excel_serial_to_date(59) == dt.date(1900, 2, 28)
    assert excel_serial_to_date(61) == dt.date(1900, 3, 1)
    assert excel_serial_to_date(43536) == MARCH_12
    assert excel_serial_to_date(43536 - 1462, date1904=True) == MARCH_12
    opts_1904 = DateOptions(today=TODAY, date1904=True)
    assert parse_date(43536.0 - 1462, opts_1904).value == MARCH_12


def test_partial_dates_keep_their_precision() -> None:
    """A year alone or a month and year are read, flagged as partial."""
    year = parse_date("2012", OPTS)
    assert (year.value, year.precision) == (dt.date(2012, 7, 1), "year")
    assert parse_date(2012.0, OPTS).precision == "year"
    month = parse_date("mars 2012", OPTS)
    assert (month.value, month.precision) == (dt.date(2012, 3, 15), "month")
    assert parse_date("03/2012", OPTS).precision == "month"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("31/02/2019", ProblemCode.DATE_IMPOSSIBLE),
        ("03/25/2019", ProblemCode.DATE_IMPOSSIBLE),
        ("2019-13-01", ProblemCode.DATE_IMPOSSIBLE),
        ("hier", ProblemCode.DATE_UNREADABLE),
        ("12.5", ProblemCode.DATE_UNREADABLE),
        (True, ProblemCode.DATE_UNREADABLE),
        ("01/01/2030", ProblemCode.DATE_IN_FUTURE),
        ("01/01/1850", ProblemCode.DATE_IMPLAUSIBLE),
        (ExcelError("#N/A"), ProblemCode.EXCEL_ERROR),
    ],
)
def test_bad_dates_say_why(raw: object, code: ProblemCode) -> None:
    """Each kind of bad date has its own problem code."""
    with pytest.raises(CoercionError) as info:
        parse_date(raw, OPTS)  # type: ignore[arg-type]
    assert info.value.code is code


def test_us_order_gets_a_suggestion() -> None:
    """03/25/2019 read day-first is impossible; the suggestion gives the day-first spelling."""
    with pytest.raises(CoercionError) as info:
        parse_date("03/25/2019", OPTS)
    assert info.value.suggestion_fr is not None
    assert "25/03/2019" in info.value.suggestion_fr


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=TODAY))
def test_written_dates_round_trip(day: dt.date) -> None:
    """Any date written dd/mm/yyyy, ISO, or as a serial number reads back as itself."""
    assert parse_date(day.strftime("%d/%m/%Y"), OPTS).value == day
    assert parse_date(day.isoformat(), OPTS).value == day
    serial = (day - dt.date(1899, 12, 30)).days
    if serial >= 10_000:
        assert parse_date(float(serial), OPTS).value == day


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", AgeValue(12)),
        (12.0, AgeValue(12)),
        ("12 ans", AgeValue(12)),
        ("12ans", AgeValue(12)),
        ("1 an", AgeValue(1)),
        ("12 years", AgeValue(12)),
        ("environ 12 ans", AgeValue(12, estimated=True)),
        ("~12", AgeValue(12, estimated=True)),
        ("12 ans ?", AgeValue(12, estimated=True)),
        ("12-13 ans", AgeValue(12, estimated=True)),
        ("6 mois", AgeValue(0, 6)),
        ("6 months", AgeValue(0, 6)),
        ("18 mois", AgeValue(1)),
        ("nouveau-né", AgeValue(0, 0, estimated=True)),
        (0.5, AgeValue(0, 6, estimated=True)),
    ],
)
def test_ages(raw: object, expected: AgeValue) -> None:
    """Ages in years, months, approximate and ranges."""
    assert parse_age(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["2012", "douze", 45.0, "-3", True, "12 ans 14 mois"])
def test_unreadable_ages(raw: object) -> None:
    """A year, words or impossible values in the age column are refused."""
    with pytest.raises(CoercionError) as info:
        parse_age(raw)  # type: ignore[arg-type]
    assert info.value.code is ProblemCode.AGE_UNREADABLE


@pytest.mark.parametrize(
    "raw", ["Oui", "oui", "O", "X", "x", "Yes", "VRAI", "TRUE", "1", 1.0, True, "✓"]
)
def test_yes(raw: object) -> None:
    """Every way of ticking a box reads as yes."""
    assert parse_bool(raw) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["Non", "non", "N", "No", "FAUX", "false", "0", 0.0, False])
def test_no(raw: object) -> None:
    """Every way of saying no reads as no."""
    assert parse_bool(raw) is False  # type: ignore[arg-type]


def test_yes_no_refuses_other_words() -> None:
    """ "Peut-être" is neither."""
    with pytest.raises(CoercionError) as info:
        parse_bool("Peut-être")
    assert info.value.code is ProblemCode.YES_NO_UNREADABLE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M", Sex.MALE),
        ("m ", Sex.MALE),
        ("Garçon", Sex.MALE),
        ("Garc\u0327on", Sex.MALE),  # decomposed cedilla
        ("GARCON", Sex.MALE),
        ("masculin", Sex.MALE),
        ("Male", Sex.MALE),
        ("F", Sex.FEMALE),
        ("Fille", Sex.FEMALE),
        ("Fe\u0301minin", Sex.FEMALE),
        ("female", Sex.FEMALE),
    ],
)
def test_sex_variants(raw: str, expected: Sex) -> None:
    """Letters, words, accents typed or decomposed, French or English."""
    index = EnumIndex(Sex, VALUE_SYNONYMS[Sex])
    assert index.parse(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Élevé", RiskLevel.HIGH),
        ("Eleve", RiskLevel.HIGH),
        ("ELEVE", RiskLevel.HIGH),
        ("Haut", RiskLevel.HIGH),
        ("Risque élevé", RiskLevel.HIGH),
        ("high", RiskLevel.HIGH),
        ("Moyen", RiskLevel.MEDIUM),
        ("Moyenne", RiskLevel.MEDIUM),
        ("Faible", RiskLevel.LOW),
        ("Bas", RiskLevel.LOW),
        ("Nul", RiskLevel.NONE),
        ("Pas de risque", RiskLevel.NONE),
    ],
)
def test_risk_variants(raw: str, expected: RiskLevel) -> None:
    """Élevé/Haut/ELEVE and the other levels in French and English."""
    index = EnumIndex(RiskLevel, VALUE_SYNONYMS[RiskLevel])
    assert index.parse(raw) is expected


def test_unknown_value_has_a_suggestion() -> None:
    """A misspelt value is refused with the closest label."""
    index = EnumIndex(RiskLevel, VALUE_SYNONYMS[RiskLevel])
    with pytest.raises(CoercionError) as info:
        index.parse("Elevvé")
    assert info.value.code is ProblemCode.VALUE_NOT_IN_LIST
    assert info.value.suggestion_fr is not None


@pytest.mark.parametrize(
    "raw",
    [
        "Négligence; Orphelin",
        "Négligence, Orphelin",
        "Négligence / Orphelin",
        "Négligence\nOrphelin",
        "négligence ; orphelin ; négligence",
    ],
)
def test_multi_values(raw: str) -> None:
    """Several values in a cell, separated by ; , / or line breaks, duplicates dropped."""
    index = EnumIndex(ProtectionConcern, VALUE_SYNONYMS[ProtectionConcern])
    assert index.parse_many(raw) == (ProtectionConcern.NEGLECT, ProtectionConcern.ORPHAN)


def test_labels_with_commas_stay_whole() -> None:
    """A label that itself contains a comma is not split."""
    index = EnumIndex(ProtectionConcern, VALUE_SYNONYMS[ProtectionConcern])
    label = ProtectionConcern.SLAVERY_SALE_ABDUCTION.label_fr
    assert "," in label
    assert index.parse_many(label) == (ProtectionConcern.SLAVERY_SALE_ABDUCTION,)


def test_user_value_map_wins() -> None:
    """A mapping file's value map ("1" → male) is honoured."""
    index = EnumIndex(Sex, VALUE_SYNONYMS[Sex], extra={"1": "male", "2": "female"})
    assert index.parse(1.0) is Sex.MALE
    assert index.parse("2") is Sex.FEMALE


def test_every_vocabulary_label_reads_back() -> None:
    """Codes, French and English labels and short labels of every value map to the value."""
    for vocab, synonyms in VALUE_SYNONYMS.items():
        index = EnumIndex(vocab, synonyms)
        for member in vocab:
            for text in (
                member.value,
                member.label_fr,
                member.label_en,
                short_label(member, "fr"),
                short_label(member, "en"),
            ):
                assert index.parse(text) is member, (vocab.__name__, text)


def test_text_clean_up() -> None:
    """NBSP, narrow NBSP, zero-width spaces, decomposed accents and runs of spaces."""
    assert clean_text("  Aminata\u00a0 \u200bTRAORE\u0301 ") == "Aminata TRAORÉ"
    assert clean_text("a\r\nb") == "a\nb"
    assert parse_text(12.0) == "12"
    assert parse_text(2.5) == "2.5"
    assert parse_text(dt.date(2020, 1, 2)) == "2020-01-02"
    assert fold_header("N° de dossier") == "numero de dossier"
    assert fold("No") == "no"  # values keep "no"; only headers read it as "numéro"


def test_phone_numbers_stay_text() -> None:
    """Phones keep their spaces and + sign; numbers typed as numbers lose no digit."""
    assert parse_phone("+223 76 12 34 56") == ("+223 76 12 34 56", False)
    assert parse_phone(76123456.0) == ("76123456", False)
    assert parse_phone(6123456.0) == ("6123456", True)  # a leading 0 may have been lost


@pytest.mark.parametrize(
    "raw", [None, "", "  ", "-", "/", "?", "N/A", "n/a", "inconnu", "Inconnue", "néant", "ND"]
)
def test_blank_markers(raw: object) -> None:
    """Dashes, "n/a", "inconnu" and the like mean "not filled in"."""
    assert is_blank(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["Non", "0", 0.0, "X", "Nul", "NA Ba"])
def test_real_values_are_not_blank(raw: object) -> None:
    """ "Non", 0, "X" are answers, not blanks."""
    assert not is_blank(raw)  # type: ignore[arg-type]
