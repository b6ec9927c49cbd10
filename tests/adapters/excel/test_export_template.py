"""Templates and exports: dropdowns, frozen headers, real dates, masked names, formula
injection, and the round trip template → filled → convert → export → convert."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpcase.adapters.excel._text import clean_text
from cpcase.adapters.excel._xlsxwrite import XlsxWriter
from cpcase.adapters.excel.coerce import short_label
from cpcase.adapters.excel.columns import FIELDS_BY_KEY, FieldKind
from cpcase.adapters.excel.convert import ConvertOptions, convert_register
from cpcase.adapters.excel.export import TEMPLATE_KEYS, export_cases
from cpcase.adapters.excel.template import write_template
from cpcase.case import CaseFile
from cpcase.testing import case_files
from cpcase.vocab import (
    ConsentMode,
    IdentificationSource,
    ProtectionConcern,
    Region,
    RiskLevel,
    Sex,
)

TODAY = dt.date(2024, 3, 1)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_template_structure(tmp_path: Path, lang: str) -> None:
    """Localised header, frozen and filtered, dropdowns from a hidden lists sheet, and an
    instructions sheet describing every column."""
    path = write_template(tmp_path / "t.xlsx", lang=lang)  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(path)
    register = wb.worksheets[0]
    lists = wb.worksheets[-1]
    assert register.title == ("Registre" if lang == "fr" else "Register")
    assert lists.sheet_state == "hidden"
    header = [c.value for c in register[1]]
    assert header == [FIELDS_BY_KEY[k].label(lang) for k in TEMPLATE_KEYS]
    assert register.freeze_panes == "A2"
    assert register.auto_filter.ref is not None
    validations = {str(dv.sqref): dv for dv in register.data_validations.dataValidation}
    sex_col = openpyxl.utils.get_column_letter(TEMPLATE_KEYS.index("sex") + 1)
    sex = validations[f"{sex_col}2:{sex_col}1048576"]
    assert sex.type == "list"
    assert sex.formula1.startswith(f"'{lists.title}'!")
    column = sex.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    values = [c.value for c in lists[column][1:] if c.value]
    assert values == [short_label(m, lang) for m in Sex]  # type: ignore[arg-type]
    enum_keys = [
        k for k in TEMPLATE_KEYS if FIELDS_BY_KEY[k].kind in (FieldKind.ENUM, FieldKind.BOOL)
    ]
    assert len(validations) == len(enum_keys)
    instructions = wb["Instructions"]
    described = {row[0] for row in instructions.iter_rows(min_row=6, values_only=True)}
    assert {FIELDS_BY_KEY[k].label(lang) for k in TEMPLATE_KEYS} <= described


def _cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _fill_template(path: Path, rows: list[dict[str, Any]], lang: str = "fr") -> Path:
    """A filled template: the template's header, then ``rows`` ({key: cell value})."""
    with XlsxWriter(path) as book:
        sheet = book.add_sheet("Registre")
        sheet.append([FIELDS_BY_KEY[k].label(lang) for k in TEMPLATE_KEYS])
        for row in rows:
            sheet.append([row.get(k) for k in TEMPLATE_KEYS])
    return path


def test_export_sheets_dates_masking_and_injection(tmp_path: Path) -> None:
    """One sheet per form and nested table, real dates, masked names, literal formulas."""
    filled = _fill_template(
        tmp_path / "filled.xlsx",
        [
            {
                "registration_date": dt.date(2023, 3, 12),
                "name_first": "Awa",
                "name_last": "FICTIF",
                "sex": "F",
                "date_of_birth": dt.date(2013, 3, 12),
                "protection_concern_primary": "Négligence",
                "risk_level": "Élevé",
                "consent_child": "Oui",
                "consent_caregiver": "Oui",
                "caregiver_name": "Hawa DÉMO",
                "eligibility_reason": '=HYPERLINK("http://x.invalid")',
                "caseworker": "GC-01",
            },
            {
                "registration_date": dt.date(2023, 3, 13),
                "name_first": "Issa",
                "name_last": "CACHÉ",
                "hidden_name": "Oui",
                "sex": "M",
                "age": 9.0,
                "protection_concern_primary": "Viol",
                "risk_level": "Élevé",
                "caregiver_name": "Oumar SECRET",
            },
        ],
    )
    out = tmp_path / "out"
    summary = convert_register(filled, out, ConvertOptions(today=TODAY))
    assert summary.rejected == 0
    result = export_cases(out / "cases.jsonl", tmp_path / "export.xlsx")
    assert result.cases == 2
    assert result.masked == 1
    wb = openpyxl.load_workbook(tmp_path / "export.xlsx")
    names = wb.sheetnames
    assert names[0] == "Registre"
    assert any(n.startswith("1.B ") for n in names)
    assert any(n.startswith("1.A ") for n in names)
    assert "Niveaux de risque" in names
    assert wb[names[-1]].sheet_state == "hidden"
    register = wb["Registre"]
    header = [c.value for c in register[1]]
    col = {FIELDS_BY_KEY[k].label("fr"): i for i, k in enumerate(TEMPLATE_KEYS)}
    first, second = list(register.iter_rows(min_row=2, max_row=3))
    assert first[col["Date d'enregistrement"]].is_date
    assert first[col["Date d'enregistrement"]].value == dt.datetime(2023, 3, 12)  # noqa: DTZ001
    injected = first[col["Motif de la décision"]]
    assert injected.value == '=HYPERLINK("http://x.invalid")'
    assert injected.data_type == "s"  # text, never a formula
    assert injected.quotePrefix
    assert second[col["Prénom"]].value == "***"
    assert second[col["Nom"]].value == "***"
    assert second[col["Parent / tuteur (nom)"]].value == "***"
    assert header == [FIELDS_BY_KEY[k].label("fr") for k in TEMPLATE_KEYS]
    text = " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert "CACHÉ" not in text
    assert "Oumar SECRET" not in text
    assert "Awa" in text
    reg_sheet = wb[next(n for n in names if n.startswith("1.B "))]
    assert reg_sheet.freeze_panes == "A2"
    assert reg_sheet.auto_filter.ref is not None


def test_export_of_a_bad_line_names_it(tmp_path: Path) -> None:
    """An invalid line in cases.jsonl is refused with its number; nothing is written."""
    from cpcase.adapters.excel.export import CasesFileError

    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"case_code": "ML-XX-ORG-2023-00001", "organisation_id": "ORG"}\n{"x": 1}\n',
        encoding="utf-8",
    )
    with pytest.raises(CasesFileError) as info:
        export_cases(path, tmp_path / "e.xlsx")
    assert "line 2" in str(info.value)
    assert not (tmp_path / "e.xlsx").exists()


# -- round trip -----------------------------------------------------------------------------------

_NAMES = (
    st.text(alphabet="ABCDÉÈÏabcdeéèïç'- ", min_size=1, max_size=14)
    .map(str.strip)
    .filter(lambda s: bool(s) and s[0].isalpha())
)


@st.composite
def register_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A valid filled-in template row, with values written the ways people write them."""
    registered = draw(st.dates(min_value=dt.date(2019, 1, 1), max_value=TODAY))
    years = draw(st.integers(min_value=0, max_value=17))
    born = registered - dt.timedelta(days=years * 365 + draw(st.integers(0, 300)))
    lang = draw(st.sampled_from(["fr", "en"]))
    primary = draw(st.sampled_from(list(ProtectionConcern)))
    row: dict[str, Any] = {
        "registration_date": draw(
            st.sampled_from([registered, registered.strftime("%d/%m/%Y"), registered.isoformat()])
        ),
        "name_first": draw(_NAMES),
        "name_last": draw(_NAMES),
        "sex": draw(st.sampled_from(["F", "M", "Fille", "Garçon", "female", "male"])),
        "protection_concern_primary": short_label(primary, lang),  # type: ignore[arg-type]
        "risk_level": draw(st.sampled_from(["Élevé", "Moyen", "Faible", "Nul", "High", "low"])),
    }
    if draw(st.booleans()):
        row["date_of_birth"] = draw(st.sampled_from([born, born.strftime("%d/%m/%Y")]))
    else:
        row["age"] = float(max(years, 0))
    if draw(st.booleans()):
        secondary = draw(
            st.lists(st.sampled_from(list(ProtectionConcern)), max_size=3, unique=True)
        )
        secondary = [c for c in secondary if c is not primary]
        if secondary:
            row["protection_concerns_secondary"] = "; ".join(c.label_fr for c in secondary)
    if draw(st.booleans()):
        row["region"] = short_label(draw(st.sampled_from(list(Region))), "fr")
    if draw(st.booleans()):
        row["identification_source"] = short_label(
            draw(st.sampled_from(list(IdentificationSource))), "fr"
        )
    if draw(st.booleans()):
        row["consent_child"] = draw(st.sampled_from(["Oui", "Non", "X"]))
        row["consent_caregiver"] = draw(st.sampled_from(["Oui", "Non", None]))
        row["consent_mode"] = short_label(draw(st.sampled_from(list(ConsentMode))), "fr")
    if draw(st.booleans()):
        row["caregiver_name"] = draw(_NAMES)
        row["caregiver_phone"] = draw(
            st.sampled_from(["76 12 34 56", "+223 66000000", 76123456.0])
        )
    if draw(st.booleans()):
        row["caseworker"] = draw(st.sampled_from(["GC-01", "GC-02", "AS Mopti"]))
    if draw(st.booleans()):
        row["location_current"] = draw(
            st.sampled_from(["Sévaré", "=Quartier 1", "@Mopti", "-", "Commune IV"])
        )
    if draw(st.booleans()):
        row["register_number"] = float(draw(st.integers(min_value=1, max_value=5000)))
    return row


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(register_rows(), min_size=1, max_size=6), st.sampled_from(["fr", "en"]))
def test_round_trip_template_convert_export_convert(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]], lang: str
) -> None:
    """template → filled → convert → export → convert gives the same case files."""
    base = tmp_path_factory.mktemp("rt")
    filled = _fill_template(base / "filled.xlsx", rows)
    first = base / "first"
    summary = convert_register(filled, first, ConvertOptions(today=TODAY))
    assert summary.rejected == 0, json.dumps(summary.to_json()["problems"])
    export_cases(first / "cases.jsonl", base / "export.xlsx", lang=lang)  # type: ignore[arg-type]
    second = base / "second"
    convert_register(base / "export.xlsx", second, ConvertOptions(today=TODAY))
    assert _cases(second / "cases.jsonl") == _cases(first / "cases.jsonl")
    for row, case in zip(rows, _cases(first / "cases.jsonl"), strict=True):
        reg = CaseFile.model_validate(case).registration
        assert reg is not None
        assert reg.name_first == clean_text(row["name_first"])  # spacing is normalised
        primary = reg.protection_concern_primary
        assert row["protection_concern_primary"] in (
            short_label(primary, "fr"),
            short_label(primary, "en"),
        )
        if isinstance(row.get("date_of_birth"), dt.date):
            assert reg.date_of_birth == row["date_of_birth"]
        if "location_current" in row and row["location_current"] != "-":
            assert reg.location_current == row["location_current"]


def test_round_trip_keeps_not_eligible_rows(tmp_path: Path) -> None:
    """An 18+ row survives export and conversion unchanged (kept, flagged, not lost)."""
    filled = _fill_template(
        tmp_path / "f.xlsx",
        [
            {
                "registration_date": dt.date(2023, 1, 10),
                "name_first": "Adama",
                "name_last": "FICTIF",
                "sex": "M",
                "date_of_birth": dt.date(2004, 1, 1),
                "protection_concern_primary": "ECL",
                "risk_level": RiskLevel.MEDIUM.label_fr,
            },
        ],
    )
    convert_register(filled, tmp_path / "a", ConvertOptions(today=TODAY))
    export_cases(tmp_path / "a" / "cases.jsonl", tmp_path / "e.xlsx")
    convert_register(tmp_path / "e.xlsx", tmp_path / "b", ConvertOptions(today=TODAY))
    assert _cases(tmp_path / "a" / "cases.jsonl") == _cases(tmp_path / "b" / "cases.jsonl")
    assert _cases(tmp_path / "a" / "cases.jsonl")[0]["status"] == "not_eligible"


@settings(
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(case_files(), min_size=1, max_size=3))
def test_any_case_file_exports_with_names_masked(
    tmp_path_factory: pytest.TempPathFactory, cases: list[CaseFile]
) -> None:
    """Any valid case file (every form of the catalogue) exports; a masked name never
    appears; every form held gets its sheet; text never becomes a formula."""
    base = tmp_path_factory.mktemp("any")
    path = base / "cases.jsonl"
    path.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    result = export_cases(path, base / "e.xlsx")
    assert result.cases == len(cases)
    wb = openpyxl.load_workbook(base / "e.xlsx")
    codes = {code for c in cases for code in c.form_codes()}
    for code in codes:
        assert any(name.startswith(f"{code} ") for name in wb.sheetnames), code
    hidden = [
        name
        for c in cases
        if c.registration is not None and c.registration.hidden_name
        for name in (c.registration.name_first, c.registration.name_last)
        if name and len(name) > 3
    ]
    shown = {
        getattr(form, attr)
        for c in cases
        if not (c.registration is not None and c.registration.hidden_name)
        for form in c.forms()
        for attr in ("name_first", "name_last", "name_nickname")
        if hasattr(form, attr)
    }
    hidden = [name for name in hidden if name not in shown]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    for name in hidden:
                        assert name != cell.value
