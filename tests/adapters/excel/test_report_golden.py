"""report.xlsx byte for byte: a handful of problem rows written by hand, and the markup they
must give (XML escaping, control characters, formula injection, xml:space, styles, comments).

The expected markup was produced by the writer before it was optimised (commit d025cf8) and
checked by eye against the rules in ``_xlsxwrite``: ``&<>`` escaped, C0 controls and
U+FFFE/U+FFFF dropped, text starting with ``= + - @``, tab or CR written with the text style
(5, or 10/13 when highlighted), leading or trailing spaces (NBSP too) kept with xml:space, numbers
by ``repr``, dates as serials with a date style, problem cells coloured (8 error, 11 warning,
14 note) and commented. The optimised writer must give the same bytes; so must any later one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
import time
import zipfile
from html import escape
from pathlib import Path

from cpcase.adapters.excel._xlsxwrite import _Deflated
from cpcase.adapters.excel.cells import ExcelError, RawRow
from cpcase.adapters.excel.columns import FIELDS_BY_KEY
from cpcase.adapters.excel.convert import ConvertOptions, Summary
from cpcase.adapters.excel.header import HeaderGuess
from cpcase.adapters.excel.mapping import MappingConfig, map_columns
from cpcase.adapters.excel.problems import Problem, Severity
from cpcase.adapters.excel.problems import ProblemCode as C
from cpcase.adapters.excel.report import ReportWriter

NAMES = ("N° dossier", "Nom & prénom", "Sexe (M/F)", "Date de naissance", "Âge", "Notes <x>")
# Field keys are invented (written as they are in the report) except "sex", whose label comes
# from the register columns.
ROWS: list[tuple[RawRow, list[Problem]]] = [
    (
        RawRow(2, (1.0, "Awa <Traoré> & fils", "X", "31/02/2015", 7, "  espace devant")),
        [
            Problem(
                2,
                2,
                C.VALUE_NOT_IN_LIST,
                Severity.ERROR,
                "sex",
                "X",
                {"field": "Sexe", "expected_fr": "M, F", "expected_en": "M, F"},
                "Écrivez M ou F",
                "Write M or F",
            ),
            Problem(
                2,
                3,
                C.DATE_IMPOSSIBLE,
                Severity.WARNING,
                "x_birth",
                "31/02/2015",
                {"field": "Naissance", "detail": "31 février", "ignored": True},
            ),
        ],
    ),
    (
        RawRow(3, ('=HYPERLINK("http://x")', "-5", "+33 6", "@SUM(A1)", "\tTab", "l1\nl2")),
        [
            Problem(
                3,
                0,
                C.CASE_CODE_INVALID,
                Severity.NOTE,
                "x_code",
                '=HYPERLINK("http://x")',
                {"field": "N°", "expected": "ML-MOP-ORG-2026-00042"},
            ),
            Problem(
                3,
                0,
                C.FORM_RULE,
                Severity.ERROR,
                "x_code",
                '=HYPERLINK("http://x")',
                {"field": "N°", "detail": "a < b & c > d"},
                "=1+1",
                "@cmd",
            ),
            Problem(3, None, C.DUPLICATE_NUMBER, Severity.WARNING, None, None, {"row": 2}),
        ],
    ),
    (
        RawRow(
            4, ("ctrl\x01\x02char\x0b", None, "M", dt.date(2010, 5, 17), 12.5, ExcelError("#N/A"))
        ),
        [
            Problem(4, 4, C.AGE_ADULT, Severity.WARNING, "x_age", "12.5", {"age": 18}),
            Problem(
                4,
                5,
                C.EXCEL_ERROR,
                Severity.ERROR,
                "x_notes",
                "#N/A",
                {"field": "Notes", "detail": "#N/A"},
            ),
            Problem(
                4,
                7,
                C.REQUIRED_MISSING,
                Severity.ERROR,
                "x_worker",
                None,
                {"field": "Gestionnaire"},
            ),
            Problem(4, None, C.NO_DATA, Severity.NOTE),
        ],
    ),
    (
        RawRow(
            5,
            (
                "fin ",
                "\u00a0insécable",
                "ü\ufffe\uffffz",
                True,
                dt.datetime(2024, 2, 29, 13, 45),  # noqa: DTZ001 - Excel times are naive
                "",
            ),
        ),
        [
            Problem(
                5,
                1,
                C.TEXT_TOO_LONG,
                Severity.WARNING,
                "x_name",
                "\u00a0insécable",
                {"field": "Nom", "max": 60},
                "Raccourcissez <à> 60 & moins",
                "Shorten <to> 60 & less",
            ),
            Problem(
                5, 1, C.NAME_SPLIT, Severity.NOTE, "x_name", "\u00a0insécable", {"field": "Nom"}
            ),
            Problem(5, 2, C.FORM_RULE, Severity.NOTE, "x_sex", "ü", {"field": "Sexe"}),
        ],
    ),
    (
        RawRow(9, (-0.0, 3, "1e3", "Dupont\r\n", "xxx", None, None)),
        [
            Problem(9, None, C.TOO_MANY_PROBLEMS, Severity.ERROR, None, None, {"max": 20}),
            Problem(
                9,
                30,
                C.VALUE_IGNORED,
                Severity.NOTE,
                "x_other",
                "zz",
                {"field": "Autre", "detail": "AE"},
            ),
        ],
    ),
]

_SEX = escape(FIELDS_BY_KEY["sex"].label("fr"), quote=False)


def _t(ref: str, text: str, style: str = "", space: bool = False) -> str:
    s = f' s="{style}"' if style else ""
    t = '<t xml:space="preserve">' if space else "<t>"
    return f'<c r="{ref}"{s} t="inlineStr"><is>{t}{text}</t></is></c>'


def _v(ref: str, value: str, style: str = "") -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


_ERR, _WARN, _NOTE = "Erreur (ligne rejetée)", "Avertissement", "Remarque"


def _problem(
    n: int,
    row: int,
    cell: str,
    column: str,
    field: str,
    value: str | None,
    severity: str,
    message: str,
    suggestion: str,
    code: str,
    value_style: str = "",
    suggestion_style: str = "",
    value_space: bool = False,
) -> str:
    cells = [_v(f"A{n}", str(row)), _t(f"B{n}", cell), _t(f"C{n}", column), _t(f"D{n}", field)]
    if value is not None:
        cells.append(_t(f"E{n}", value, value_style, space=value_space))
    cells += [_t(f"F{n}", severity), _t(f"G{n}", message)]
    if suggestion:
        cells.append(_t(f"H{n}", suggestion, suggestion_style))
    cells.append(_t(f"I{n}", code))
    return f'<row r="{n}">{"".join(cells)}</row>'


HYPERLINK = '=HYPERLINK("http://x")'
EXPECTED_PROBLEMS = [
    '<row r="1">'
    + "".join(
        _t(f"{letter}1", label, "1")
        for letter, label in zip(
            "ABCDEFGHI",
            (
                "Ligne",
                "Cellule",
                "Colonne",
                "Champ",
                "Valeur",
                "Gravité",
                "Problème",
                "Suggestion",
                "Code",
            ),
            strict=True,
        )
    )
    + "</row>",
    _problem(
        2,
        2,
        "C2",
        "Sexe (M/F)",
        _SEX,
        "X",
        _ERR,
        "« Sexe » : valeur inconnue ; valeurs possibles : M, F",
        "Écrivez M ou F",
        "value_not_in_list",
    ),
    _problem(
        3,
        2,
        "D2",
        "Date de naissance",
        "x_birth",
        "31/02/2015",
        _WARN,
        "« Naissance » : cette date n'existe pas (31 février) — valeur non reprise",
        "",
        "date_impossible",
    ),
    _problem(
        4,
        3,
        "A3",
        "N° dossier",
        "x_code",
        HYPERLINK,
        _NOTE,
        "« N° » : code de dossier invalide (format attendu ML-MOP-ORG-2026-00042)",
        "",
        "case_code_invalid",
        value_style="5",
    ),
    _problem(
        5,
        3,
        "A3",
        "N° dossier",
        "x_code",
        HYPERLINK,
        _ERR,
        "« N° » : a &lt; b &amp; c &gt; d",
        "=1+1",
        "form_rule",
        value_style="5",
        suggestion_style="5",
    ),
    _problem(
        6,
        3,
        "",
        "",
        "",
        None,
        _WARN,
        "Doublon possible : même numéro que la ligne 2",
        "",
        "duplicate_number",
    ),
    _problem(
        7,
        4,
        "E4",
        "Âge",
        "x_age",
        "12.5",
        _WARN,
        "L'enfant a 18 ans ou plus : non éligible (18 ans et plus), enregistré et signalé",
        "",
        "age_adult",
    ),
    _problem(
        8,
        4,
        "F4",
        "Notes &lt;x&gt;",
        "x_notes",
        "#N/A",
        _ERR,
        "« Notes » : la cellule contient une erreur Excel (#N/A) ; corrigez la formule",
        "",
        "excel_error",
    ),
    _problem(
        9,
        4,
        "H4",
        "",
        "x_worker",
        None,
        _ERR,
        "« Gestionnaire » est obligatoire et la cellule est vide",
        "",
        "required_missing",
    ),
    _problem(
        10,
        4,
        "",
        "",
        "",
        None,
        _NOTE,
        "La ligne n'a aucune donnée dans les colonnes reconnues : elle est ignorée",
        "",
        "no_data",
    ),
    _problem(
        11,
        5,
        "B5",
        "Nom &amp; prénom",
        "x_name",
        "\u00a0insécable",
        _WARN,
        "« Nom » : texte trop long (plus de 60 caractères)",
        "Raccourcissez &lt;à&gt; 60 &amp; moins",
        "text_too_long",
        value_space=True,
    ),
    _problem(
        12,
        5,
        "B5",
        "Nom &amp; prénom",
        "x_name",
        "\u00a0insécable",
        _NOTE,
        "« Nom » : nom complet découpé (dernier mot = nom de famille)",
        "",
        "name_split",
        value_space=True,
    ),
    _problem(13, 5, "C5", "Sexe (M/F)", "x_sex", "ü", _NOTE, "« Sexe » : ?", "", "form_rule"),
    _problem(
        14,
        9,
        "",
        "",
        "",
        None,
        _ERR,
        "Plus de 20 problèmes sur cette ligne ; les suivants ne sont pas listés",
        "",
        "too_many_problems",
    ),
    _problem(
        15,
        9,
        "AE9",
        "",
        "x_other",
        "zz",
        _NOTE,
        "« Autre » : valeur non reprise (AE) ; le reste de la ligne est converti",
        "",
        "value_ignored",
    ),
]
EXPECTED_ROWS = [
    '<row r="1">'
    + "".join(
        _t(f"{letter}1", escape(label, quote=False), "1")
        for letter, label in zip("ABCDEFG", ("Ligne", *NAMES), strict=True)
    )
    + "</row>",
    '<row r="2">'
    + _v("A2", "2")
    + _v("B2", "1.0")
    + _t("C2", "Awa &lt;Traoré&gt; &amp; fils")
    + _t("D2", "X", "8")
    + _t("E2", "31/02/2015", "11")
    + _v("F2", "7")
    + _t("G2", "  espace devant", space=True)
    + "</row>",
    '<row r="3">'
    + _v("A3", "3", "11")
    + _t("B3", HYPERLINK, "10")
    + _t("C3", "-5", "5")
    + _t("D3", "+33 6", "5")
    + _t("E3", "@SUM(A1)", "5")
    + _t("F3", "\tTab", "5", space=True)
    + _t("G3", "l1\nl2")
    + "</row>",
    '<row r="4">'
    + _v("A4", "4", "14")
    + _t("B4", "ctrlchar")
    + _t("D4", "M")
    + _v("E4", "40315", "2")
    + _v("F4", "12.5", "11")
    + '<c r="G4" t="e"><v>#N/A</v></c>'
    + '<c r="I4" s="8"/>'
    + "</row>",
    '<row r="5">'
    + _v("A5", "5")
    + _t("B5", "fin ", space=True)
    + _t("C5", "\u00a0insécable", "11", space=True)
    + _t("D5", "üz", "14")
    + '<c r="E5" t="b"><v>1</v></c>'
    + _v("F5", "45351.572916666664", "3")
    + _t("G5", "")
    + "</row>",
    '<row r="6">'
    + _v("A6", "9", "8")
    + _v("B6", "-0.0")
    + _v("C6", "3")
    + _t("D6", "1e3")
    + _t("E6", "Dupont\r\n", space=True)
    + _t("F6", "xxx")
    + '<c r="AF6" s="14"/>'
    + "</row>",
]


def _comment(ref: str, text: str) -> str:
    return (
        f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">{text}</t></text>'
        "</comment>"
    )


EXPECTED_COMMENTS = [
    _comment("D2", "« Sexe » : valeur inconnue ; valeurs possibles : M, F (Écrivez M ou F)"),
    _comment("E2", "« Naissance » : cette date n'existe pas (31 février) — valeur non reprise"),
    _comment(
        "B3",
        "« N° » : code de dossier invalide (format attendu ML-MOP-ORG-2026-00042)\n"
        "« N° » : a &lt; b &amp; c &gt; d (=1+1)",
    ),
    _comment("A3", "Doublon possible : même numéro que la ligne 2"),
    _comment(
        "F4", "L'enfant a 18 ans ou plus : non éligible (18 ans et plus), enregistré et signalé"
    ),
    _comment(
        "G4", "« Notes » : la cellule contient une erreur Excel (#N/A) ; corrigez la formule"
    ),
    _comment("I4", "« Gestionnaire » est obligatoire et la cellule est vide"),
    _comment("A4", "La ligne n'a aucune donnée dans les colonnes reconnues : elle est ignorée"),
    _comment(
        "C5",
        "« Nom » : texte trop long (plus de 60 caractères) (Raccourcissez &lt;à&gt; 60 &amp; "
        "moins)\n« Nom » : nom complet découpé (dernier mot = nom de famille)",
    ),
    _comment("D5", "« Sexe » : ?"),
    _comment("AF6", "« Autre » : valeur non reprise (AE) ; le reste de la ligne est converti"),
    _comment("A6", "Plus de 20 problèmes sur cette ligne ; les suivants ne sont pas listés"),
]

# Parts that depend only on the writer and the comment positions, pinned by digest (the VML
# holds one shape per comment, anchored by row and column).
EXPECTED_DIGESTS = {
    "xl/drawings/vmlDrawing1.vml": (
        "7471d24c3bbd52886dd4513ccf7e03420006ca64b76652c3fd1e744fe45d1237"
    ),
    "xl/styles.xml": "c88ca092ee82b71c48eab795036e4c62f9800b793bd680d9e7fe105131224a09",
    "[Content_Types].xml": "2201976532ef72a64ac8a1bc6169afd8dc780db1a7e0d3db05c3b10f39032f43",
    "xl/worksheets/_rels/sheet3.xml.rels": (
        "b99cdda770020e482c5af5ebe23628a036738c72d5bf3a3522861317df9fbe03"
    ),
}


def _summary() -> Summary:
    return Summary(
        register="registre.xlsx",
        kind="xlsx",
        sheet="Registre",
        header_row=1,
        rows_read=5,
        rows_blank=0,
        converted=1,
        not_eligible=1,
        rejected=3,
        rows_with_warnings=1,
        problems_by_code={"form_rule": 3},
        problems_by_severity={"error": 5},
        columns=(("A", "N° dossier", None, "unknown"),),
        defaults_applied={},
        outputs={},
        today="2024-03-01",
    )


def _report(path: Path, lang: str = "fr") -> dict[str, bytes]:
    options = ConvertOptions(today=dt.date(2024, 3, 1), lang="fr" if lang == "fr" else "en")
    header = HeaderGuess(row=1, names=NAMES, matched=4)
    writer = ReportWriter(
        path,
        header,
        map_columns(list(NAMES), MappingConfig()),
        options,
        sheet="Registre",
        register="registre.xlsx",
    )
    writer._book._time = time.struct_time((2024, 3, 1, 12, 0, 0, 4, 61, 0))
    for row, problems in ROWS:
        writer.add(row, problems)
    writer.close(_summary())
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _elements(xml: bytes, tag: str) -> list[str]:
    return re.findall(f"<{tag} .*?</{tag}>", xml.decode("utf-8"), re.S)


def test_problems_sheet_rows_match_golden(tmp_path: Path) -> None:
    parts = _report(tmp_path / "report.xlsx")
    assert _elements(parts["xl/worksheets/sheet2.xml"], "row") == EXPECTED_PROBLEMS


def test_register_rows_match_golden(tmp_path: Path) -> None:
    parts = _report(tmp_path / "report.xlsx")
    sheet = parts["xl/worksheets/sheet3.xml"].decode("utf-8")
    assert _elements(parts["xl/worksheets/sheet3.xml"], "row") == EXPECTED_ROWS
    # Widths from the values, autofilter over the widest row, the comments' drawing.
    widths = re.findall(r'<col min="(\d+)" max="\d+" width="([\d.]+)"', sheet)
    assert widths[:7] == [
        ("1", "8.0"),
        ("2", "26.2"),
        ("3", "22.9"),
        ("4", "13.0"),
        ("5", "20.7"),
        ("6", "14.1"),
        ("7", "18.5"),
    ]
    assert len(widths) == 32
    assert sheet.endswith(
        '</sheetData><autoFilter ref="A1:AF6"/><pageMargins left="0.7" right="0.7" '
        'top="0.75" bottom="0.75" header="0.3" footer="0.3"/><legacyDrawing r:id="rId1"/>'
        "</worksheet>"
    )


def test_comments_match_golden(tmp_path: Path) -> None:
    parts = _report(tmp_path / "report.xlsx")
    assert _elements(parts["xl/comments1.xml"], "comment") == EXPECTED_COMMENTS


def test_writer_only_parts_match_digests(tmp_path: Path) -> None:
    for lang in ("fr", "en"):
        parts = _report(tmp_path / f"report-{lang}.xlsx", lang)
        digests = {name: hashlib.sha256(parts[name]).hexdigest() for name in EXPECTED_DIGESTS}
        assert digests == EXPECTED_DIGESTS, lang


def test_english_report_uses_the_same_cells(tmp_path: Path) -> None:
    parts = _report(tmp_path / "report.xlsx", "en")
    rows = _elements(parts["xl/worksheets/sheet3.xml"], "row")
    assert rows[1:] == EXPECTED_ROWS[1:]
    problems = _elements(parts["xl/worksheets/sheet2.xml"], "row")
    assert _t("F2", "Error (row rejected)") in problems[1]
    assert _t("H5", "@cmd", "5") in problems[4]  # the English suggestion, neutralised
    assert (
        _t("G3", "'Naissance': this date does not exist (31 février) — value not imported")
        in (problems[2])
    )


def test_deflate_stream_does_not_depend_on_write_sizes(tmp_path: Path) -> None:
    """The writer compresses its pending pieces about 64 KB at a time; the raw deflate stream
    (and so the file) must not depend on where those cuts fall."""
    parts = _report(tmp_path / "report.xlsx")
    data = b"".join(parts[name] for name in sorted(parts)) * 8
    whole = _Deflated()
    whole.write_bytes(data)
    reference = b"".join(whole.finish())
    rng = random.Random(7)
    for pieces in (3, 500, 20_000):
        cuts = sorted(rng.sample(range(1, len(data)), pieces))
        cut = _Deflated()
        for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
            cut.write_bytes(data[start:end])
        assert b"".join(cut.finish()) == reference
        assert (cut.crc, cut.size) == (whole.crc, whole.size)
    text = _Deflated()
    decoded = data.decode("utf-8")
    for start in range(0, len(decoded), 997):
        text.write(decoded[start : start + 997])
    assert b"".join(text.finish()) == reference
