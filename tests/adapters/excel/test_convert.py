"""Register → case files: a golden register worked by hand, the report, and the guarantee
that every row ends up either in cases.jsonl or in the report."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpcase.adapters.excel.convert import ConvertOptions, Summary, convert_register
from cpcase.case import CaseFile
from cpcase.vocab import (
    AgeStatus,
    CaseStatus,
    ConsentGiverRelationship,
    ProtectionConcern,
    RiskLevel,
    Sex,
)

from .conftest import write_csv, write_md_workbook

TODAY = dt.date(2024, 3, 1)

# Worked by hand: see the comment on each row for what must happen to it.
GOLDEN = """
| REGISTRE D'ENREGISTREMENT — DRPFEF MOPTI — DONNÉES FICTIVES |
| N° dossier | Date d'enregistrement | Nom et prénom(s) | Sexe (M/F) | Date de naissance (jj/mm/aaaa) | Âge | Problème principal | Niveau de risque | Urgence (O/N) | Accord de l'enfant | Accord du parent/tuteur | Téléphone | Gestionnaire de cas | Motif de la décision |
| 1 | d:2023-03-12 | Awa FICTIF | F | 12/03/2013 | f:=DATEDIF(E3,B3,"Y")\\|10 | Négligence | Élevé | Non | Oui | Oui | 76 12 34 56 | GC-01 | =HYPERLINK("http://x.invalid") |
| 2 | 13-03-23 | Issa EXEMPLE | Garçon | 2010 |  | Mendicité | Haut |  | X |  | 76123456 | GC-02 |  |
| 3 | 2023-03-14 | Mariam DÉMO | fille | 14 mars 2009 | 14 ans | Abus sexuel | Moyen |  |  |  |  | GC-01 | +223 à rappeler |
|  |
| 4 | 45000 | Oumar ESSAI | M | e:#N/A | 9 | Travail des enfants | Faible |  |  |  |  | GC-03 |  |
| 5 | 31/02/2023 | Fanta FACTICE | F | 01/01/2015 |  | Abandon | Nul |  |  |  |  |  |  |
| 6 | d:2023-03-16 | Awa FICTIF | F | d:2013-03-12 |  | Négligence | Élevé |  |  |  |  | GC-01 |  |
| 6 | d:2023-03-17 | Adama SIMULÉ | M | 05/05/2004 |  | ECL | Moyen |  |  |  |  |  |  |
| 7 | d:2023-03-18 | Salimata TÉMOIN | ? | 01/06/2012 |  | Orphelin | Élevé | Oui |  |  |  |  |  |
| 8 | d:2023-03-19 | Seydou INVENTÉ | M | 01/06/2012 |  | Viol | Faible | Oui |  |  |  |  |  |
| 9 | d:2023-03-20 | Rokia MODÈLE | F | 01/06/2011 |  | Problème familial | Moyen |  |  |  |  |  |  |
| Total : 9 dossiers |
"""


def _convert(path: Path, out: Path, **kwargs: Any) -> tuple[Summary, list[CaseFile]]:
    summary = convert_register(path, out, ConvertOptions(today=TODAY, **kwargs))
    cases = [
        CaseFile.model_validate_json(line)
        for line in (out / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return summary, cases


def _rows(out: Path) -> dict[int, tuple[str, str]]:
    with (out / "rows.csv").open(encoding="utf-8", newline="") as fh:
        return {int(r["row"]): (r["outcome"], r["case_code"]) for r in csv.DictReader(fh)}


def _problems(out: Path) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(out / "report.xlsx")
    ws = wb.worksheets[1]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    return [dict(zip(head, r, strict=True)) for r in rows[1:]]


@pytest.fixture
def golden(tmp_path: Path) -> tuple[Summary, list[CaseFile], Path]:
    path = write_md_workbook(
        tmp_path / "registre.xlsx",
        {"Registre 2023": GOLDEN},
        merges={"Registre 2023": [(1, 0, 1, 13)]},
    )
    out = tmp_path / "out"
    summary, cases = _convert(path, out)
    return summary, cases, out


def test_golden_outcomes(golden: tuple[Summary, list[CaseFile], Path]) -> None:
    """Which rows convert, which are kept as not eligible, which are rejected, and why."""
    summary, cases, out = golden
    assert (summary.sheet, summary.header_row) == ("Registre 2023", 2)
    assert summary.rows_read == 11
    assert (summary.converted, summary.not_eligible, summary.rejected) == (5, 1, 5)
    assert summary.exit_code == 3
    outcomes = {row: outcome for row, (outcome, _) in _rows(out).items()}
    assert outcomes == {
        3: "converted",
        4: "converted",
        5: "converted",
        7: "converted",
        8: "rejected",
        9: "converted",
        10: "not_eligible",
        11: "rejected",
        12: "rejected",
        13: "rejected",
        14: "rejected",
    }
    problems = {(p["Cellule"] or str(p["Ligne"]), p["Code"]) for p in _problems(out)}
    assert {
        ("B8", "date_impossible"),
        ("D11", "required_missing"),
        ("H12", "form_rule"),
        ("G13", "value_not_in_list"),
        ("B14", "required_missing"),
        ("E4", "date_partial"),
        ("E7", "excel_error"),
        ("C9", "duplicate_child"),
        ("A10", "duplicate_number"),
        ("E10", "age_adult"),
    } <= problems
    assert len(cases) == 6


def test_golden_first_row_worked_by_hand(golden: tuple[Summary, list[CaseFile], Path]) -> None:
    """Row 3: every mapped value lands in 1.B, 1.A, the risk history and the assignment."""
    _, cases, _ = golden
    case = cases[0]
    assert case.case_code == "ML-XX-ORG-2023-00001"
    assert (case.organisation_id, case.caseworker_id, case.status) == (
        "ORG",
        "GC-01",
        CaseStatus.OPEN,
    )
    reg = case.registration
    assert reg is not None
    assert (reg.name_first, reg.name_last, reg.sex) == ("Awa", "FICTIF", Sex.FEMALE)
    assert reg.registration_date == reg.identification_date == dt.date(2023, 3, 12)
    assert (reg.date_of_birth, reg.age, reg.age_status) == (
        dt.date(2013, 3, 12),
        10,
        AgeStatus.DOCUMENTED,
    )
    assert reg.protection_concern_primary is ProtectionConcern.NEGLECT
    assert reg.risk_level is RiskLevel.HIGH
    assert reg.emergency_care_needed is False
    assert reg.eligibility_reason == '=HYPERLINK("http://x.invalid")'
    assert reg.family_supports[0].relation_telephone == "76 12 34 56"
    assert reg.consent_obtained is True
    (consent,) = case.consents
    assert [(g.relationship, g.agreed) for g in consent.givers] == [
        (ConsentGiverRelationship.CHILD, True),
        (ConsentGiverRelationship.LEGAL_GUARDIAN, True),
    ]
    assert consent.consent_date == dt.date(2023, 3, 12)
    assert case.current_risk is RiskLevel.HIGH
    assert case.extra_fields == {"register_number": "1"}


def test_golden_other_rows(golden: tuple[Summary, list[CaseFile], Path]) -> None:
    """Dates typed every way, a year alone, "Garçon"/"fille", "Haut", an error cell."""
    _, cases, _ = golden
    by_number = {c.extra_fields["register_number"]: c for c in cases[:4]}
    issa = by_number["2"].registration
    assert issa is not None
    assert issa.registration_date == dt.date(2023, 3, 13)
    assert (issa.sex, issa.risk_level) == (Sex.MALE, RiskLevel.HIGH)
    assert (issa.date_of_birth, issa.age_status) == (dt.date(2010, 7, 1), AgeStatus.ESTIMATED)
    assert issa.protection_concern_primary is ProtectionConcern.CHILD_LABOUR
    assert issa.family_supports[0].relation_telephone == "76123456"
    assert [g.relationship for g in by_number["2"].consents[0].givers] == [
        ConsentGiverRelationship.CHILD
    ]
    mariam = by_number["3"].registration
    assert mariam is not None
    assert (mariam.date_of_birth, mariam.age) == (dt.date(2009, 3, 14), 14)
    assert mariam.protection_concern_primary is ProtectionConcern.SEXUAL_ABUSE_VIOLENCE
    assert by_number["3"].consents == ()
    oumar = by_number["4"].registration
    assert oumar is not None
    assert oumar.registration_date == dt.date(2023, 3, 15)  # serial 45000
    assert (oumar.date_of_birth, oumar.age, oumar.age_status) == (None, 9, AgeStatus.ESTIMATED)


def test_golden_adult_kept_and_flagged(golden: tuple[Summary, list[CaseFile], Path]) -> None:
    """An 18-year-old is kept as a not-eligible file with the row's values, never dropped."""
    _, cases, _ = golden
    adult = cases[5]
    assert adult.status is CaseStatus.NOT_ELIGIBLE
    assert adult.registration is None
    row = adult.extra_fields["register_row"]
    assert isinstance(row, dict)
    assert row["date_of_birth"] == "2004-05-05"
    assert row["sex"] == "male"
    assert adult.case_code != cases[4].case_code  # same register number, distinct code


def test_report_highlights_and_comments(golden: tuple[Summary, list[CaseFile], Path]) -> None:
    """Problem cells are coloured (red rejects, yellow warns) and carry the message."""
    _, _, out = golden
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames == ["Résumé", "Problèmes", "Lignes à corriger"]
    rows = wb["Lignes à corriger"]
    found: dict[int, Any] = {}
    for line in rows.iter_rows(min_row=2):
        found[int(line[0].value)] = line
    bad_date = found[8][2]  # column B of the register, shifted by the row-number column
    assert bad_date.value == "31/02/2023"
    assert bad_date.fill.fgColor.rgb == "FFFFC7CE"
    assert bad_date.comment is not None
    assert "n'existe pas" in bad_date.comment.text
    duplicate = found[9][3]
    assert duplicate.fill.fgColor.rgb == "FFFFEB9C"
    assert 3 not in found  # clean rows are not copied
    summary_sheet = {r[0]: r[1] for r in wb["Résumé"].iter_rows(values_only=True) if r[0]}
    assert summary_sheet["Rejetées (à corriger)"] == 5


def test_summary_json_has_counts_but_no_values(
    golden: tuple[Summary, list[CaseFile], Path],
) -> None:
    """summary.json: rows, problems by code, columns, defaults; never a name."""
    _, _, out = golden
    text = (out / "summary.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["rows"] == {
        "read": 11,
        "blank": 0,
        "converted": 5,
        "not_eligible": 1,
        "rejected": 5,
        "with_warnings": 4,
    }
    assert data["problems"]["by_code"]["date_impossible"] == 1
    assert data["defaults_applied"]["identification_source"] == 11
    assert data["exit_code"] == 3
    for name in ("Awa", "FICTIF", "Issa", "Mariam", "Oumar", "Adama", "76 12"):
        assert name not in text


def test_csv_register_gives_the_same_cases(tmp_path: Path) -> None:
    """The golden register as a cp1252 CSV converts to the same cases as the workbook (the
    CSV carries the texts Excel would print: error cells as #N/A, dates dd/mm/yyyy)."""
    xlsx = write_md_workbook(tmp_path / "r.xlsx", {"R": GOLDEN})
    csv_path = write_csv(tmp_path / "r.csv", GOLDEN, encoding="cp1252")
    _, from_xlsx = _convert(xlsx, tmp_path / "a")
    _, from_csv = _convert(csv_path, tmp_path / "b")
    assert [c.model_dump() for c in from_csv] == [c.model_dump() for c in from_xlsx]


def test_outputs_are_atomic_on_failure(tmp_path: Path) -> None:
    """When the register is unusable, earlier outputs stay as they were and no temp file
    remains."""
    out = tmp_path / "out"
    good = write_md_workbook(tmp_path / "ok.xlsx", {"R": GOLDEN})
    convert_register(good, out, ConvertOptions(today=TODAY))
    before = (out / "cases.jsonl").read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[:500])
    with pytest.raises(Exception, match="zip"):
        convert_register(bad, out, ConvertOptions(today=TODAY))
    assert (out / "cases.jsonl").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [
        "cases.jsonl",
        "report.xlsx",
        "rows.csv",
        "summary.json",
    ]


def test_mapping_file_custom_columns_and_value_maps(tmp_path: Path) -> None:
    """A custom column is kept in extra fields; a value map reads "1"/"2" as sexes; defaults
    and case-code parts come from the mapping file."""
    md = """
| Numéro | Date | Nom | Genre (1=G, 2=F) | Âge | Cas | Remarques |
| 12 | 12/03/2023 | FICTIF | 1 | 9 | Négligence | à revoir |
| 13 | 12/03/2023 | DÉMO | 2 | 8 | Abandon |  |
"""
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": md})
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        """
[columns]
"Numéro" = "register_number"
"Genre (1=G, 2=F)" = "sex"
"Remarques" = "extra:remarques"
[values.sex]
"1" = "male"
"2" = "female"
[defaults]
organisation = "TDH"
identified_by = "cp_organisation"
[case_code]
region = "MOP"
org = "TDH"
""",
        encoding="utf-8",
    )
    from cpcase.adapters.excel.mapping import load_mapping

    summary, cases = _convert(path, tmp_path / "out", mapping=load_mapping(mapping))
    assert summary.rejected == 0
    assert [c.case_code for c in cases] == ["ML-MOP-TDH-2023-00012", "ML-MOP-TDH-2023-00013"]
    assert [c.registration.sex for c in cases if c.registration] == [Sex.MALE, Sex.FEMALE]
    assert cases[0].extra_fields["remarques"] == "à revoir"
    assert cases[0].organisation_id == "TDH"
    assert cases[0].registration is not None
    assert cases[0].registration.identified_by.value == "cp_organisation"


def test_converted_cases_validate_as_case_files(
    golden: tuple[Summary, list[CaseFile], Path],
) -> None:
    """Every line of cases.jsonl is a valid CaseFile and round-trips losslessly."""
    _, cases, _ = golden
    for case in cases:
        again = CaseFile.model_validate(case.model_dump())
        assert again == case
        assert CaseFile.model_validate_json(case.model_dump_json()) == case


# -- every row accounted for -------------------------------------------------------------------

_CELL = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "F",
            "M",
            "Garçon",
            "?",
            "x",
            "Oui",
            "Non",
            "Élevé",
            "Haut",
            "bof",
            "12 ans",
            "6 mois",
            "Négligence",
            "Viol",
            "Inconnu",
            "-",
            "#N/A",
            "31/02/2023",
            "12/03/2023",
            "2011",
            "=1+1",
            "+223",
            "Total",
        ]
    ),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2023, 12, 31)),
    st.integers(min_value=0, max_value=50).map(float),
    st.text(alphabet="abcdeéèçAZ -'/;", min_size=1, max_size=12),
)
_HEADER = [
    "N° dossier",
    "Date d'enregistrement",
    "Nom",
    "Prénom",
    "Sexe",
    "Date de naissance",
    "Âge",
    "Problème principal",
    "Niveau de risque",
    "Urgence",
    "Observations",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_CELL, min_size=0, max_size=len(_HEADER)), min_size=1, max_size=25))
def test_every_row_is_in_the_output_or_in_the_report(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    """Whatever the rows hold, each non-blank row is converted (its case is in cases.jsonl)
    or rejected with at least one error in the report; counts add up."""
    base = tmp_path_factory.mktemp("prop")
    from cpcase.adapters.excel._xlsxwrite import XlsxWriter

    path = base / "r.xlsx"
    with XlsxWriter(path) as book:
        sheet = book.add_sheet("R")
        sheet.append(_HEADER)
        for row in rows:
            sheet.append(row)
    out = base / "out"
    summary, cases = _convert(path, out)
    outcomes = _rows(out)
    with RegisterRows(path) as register_rows:
        expected = {r.number for r in register_rows if r.number > 1}
    assert set(outcomes) == expected
    codes = {c.case_code for c in cases}
    errors = {p["Ligne"] for p in _problems(out) if p["Code"] and p["Gravité"].startswith("Err")}
    notes = {p["Ligne"] for p in _problems(out) if p["Code"] == "no_data"}
    for number, (outcome, code) in outcomes.items():
        if outcome in ("converted", "not_eligible"):
            assert code in codes
        elif outcome == "rejected":
            assert number in errors
        else:
            assert outcome == "blank"
            assert number in notes
    assert summary.rows_read + summary.rows_blank == len(expected)
    assert summary.converted + summary.not_eligible == len(cases)


class RegisterRows:
    """The non-blank rows of a register's first sheet."""

    def __init__(self, path: Path) -> None:
        from cpcase.adapters.excel.reader import RegisterFile

        self._file = RegisterFile(path)

    def __enter__(self) -> list[Any]:
        return list(self._file.sheet(self._file.sheet_names[0]).rows())

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def test_no_header_is_a_clear_error(md_workbook: Callable[..., Path], tmp_path: Path) -> None:
    """A sheet with no recognisable header fails with advice, not a traceback."""
    from cpcase.adapters.excel.errors import HeaderNotFoundError

    path = md_workbook("| a | b |\n| 1 | 2 |")
    with pytest.raises(HeaderNotFoundError) as info:
        convert_register(path, tmp_path / "o", ConvertOptions(today=TODAY))
    assert "header_row" in info.value.message_in("fr")


@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=300))
def test_seen_index_behaves_like_a_dict(keys: list[int]) -> None:
    """The compact duplicate index answers like dict.setdefault, through growth."""
    from cpcase.adapters.excel.convert import _SeenIndex

    index = _SeenIndex(capacity=4)
    reference: dict[int, int] = {}
    for row, key in enumerate(keys, 1):
        expected = reference.setdefault(key or 1, row)
        assert index.first(key, row) == expected
        if row == len(keys) // 2:
            index.reserve(len(keys))  # room made halfway, keys kept
    for key, row in reference.items():
        assert index.get(key) == row


def test_primero_bodies_same_with_worker_processes(tmp_path: Path) -> None:
    """cases.primero.jsonl is identical whether rows are converted here or by worker
    processes, and in the order of cases.jsonl."""
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": GOLDEN})
    inline = tmp_path / "inline"
    parallel = tmp_path / "parallel"
    convert_register(path, inline, ConvertOptions(today=TODAY, primero=True, workers=1))
    convert_register(path, parallel, ConvertOptions(today=TODAY, primero=True, workers=2))
    bodies = (inline / "cases.primero.jsonl").read_text(encoding="utf-8")
    assert bodies == (parallel / "cases.primero.jsonl").read_text(encoding="utf-8")
    assert len(bodies.splitlines()) == 5  # converted cases; the 18+ file is not sent
    assert (inline / "cases.jsonl").read_bytes() == (parallel / "cases.jsonl").read_bytes()
