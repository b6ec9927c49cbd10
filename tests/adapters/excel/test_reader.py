"""Readers: .xlsx streamed through calamine and CSV give the same values."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from cpcase.adapters.excel import _xlsx
from cpcase.adapters.excel._csvfile import detect_delimiter
from cpcase.adapters.excel._xlsx import XlsxWorkbook
from cpcase.adapters.excel.cells import ExcelError, RawRow
from cpcase.adapters.excel.errors import SheetNotFoundError
from cpcase.adapters.excel.limits import Limits
from cpcase.adapters.excel.reader import RegisterFile

from .conftest import write_md_workbook

REGISTER = """
| REGISTRE 2023 (FICTIF) |
|  |
| N° dossier | Date | Nom | Âge | Région | Calcul |
| 1 | d:2023-03-12 | FICTIF Awa | 12 | Mopti | f:=D4+1\\|13 |
| 2 | 12/03/2023 | EXEMPLE Issa | s:7 | e:#N/A | f:=1/0\\|#DIV/0! |
|  |
| 3 | dt:2023-03-12T10:30 | DÉMO Oumou | 6 mois | Ségou | f:=TODAY() |
"""


def test_xlsx_rows_have_true_numbers_and_plain_values(
    md_workbook: Callable[..., Path],
) -> None:
    """Row numbers are the sheet's; numbers are floats, dates are dates, errors are
    ExcelError, formulas give their cached value, blank rows are skipped."""
    path = md_workbook(REGISTER, merges=[(1, 0, 1, 5)])
    with RegisterFile(path) as register:
        sheet = register.sheet("Registre")
        rows = list(sheet.rows())
    assert [r.number for r in rows] == [1, 3, 4, 5, 7]
    assert rows[0].cells == ("REGISTRE 2023 (FICTIF)",) * 6  # merged title filled across
    assert rows[2].cells == (1.0, dt.date(2023, 3, 12), "FICTIF Awa", 12.0, "Mopti", 13.0)
    assert rows[3].cells == (
        2.0,
        "12/03/2023",
        "EXEMPLE Issa",
        "7",
        ExcelError("#N/A"),
        ExcelError("#DIV/0!"),
    )
    assert rows[4].cells[1] == dt.datetime(2023, 3, 12, 10, 30)  # noqa: DTZ001 - naive in Excel
    assert rows[4].cells[5:] == ()  # a formula never calculated has no value


def test_vertical_merge_fills_data_rows_only(md_workbook: Callable[..., Path]) -> None:
    """A region merged down several rows applies to each data row, not to blank rows."""
    md = """
| Nom | Région |
| A | Mopti |
| B |  |
| C |  |
|  |  |
"""
    path = md_workbook(md, merges=[(2, 1, 5, 1)])
    with RegisterFile(path) as register:
        rows = list(register.sheet("Registre").rows())
    assert [r.cells for r in rows] == [
        ("Nom", "Région"),
        ("A", "Mopti"),
        ("B", "Mopti"),
        ("C", "Mopti"),
    ]


def test_xlsx_and_csv_give_identical_rows(
    md_workbook: Callable[..., Path], md_csv: Callable[..., Path]
) -> None:
    """The same register saved as .xlsx and as CSV reads the same, once coerced (see
    test_convert for the cases); here: same row numbers and same text of each cell."""
    md = """
| N° | Nom | Date | Âge |
| 1 | FICTIF Awa | 12/03/2023 | 12 |
| 2 | DÉMO Issa | 13/03/2023 | e:#N/A |
"""
    xlsx = md_workbook(md)
    csv_path = md_csv(md, encoding="cp1252")
    with RegisterFile(xlsx) as a, RegisterFile(csv_path) as b:
        rows_a = list(a.sheet("Registre").rows())
        rows_b = list(b.sheet(b.sheet_names[0]).rows())
    assert [r.number for r in rows_a] == [r.number for r in rows_b]
    for ra, rb in zip(rows_a, rows_b, strict=True):
        assert [_text(v) for v in ra.cells] == [_text(v) for v in rb.cells]


def _text(value: object) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ";"),
        ("utf-8-sig", ","),
        ("cp1252", ";"),
        ("latin-1", "\t"),
        ("utf-16", "\t"),
    ],
)
def test_csv_encodings_and_delimiters(
    md_csv: Callable[..., Path], encoding: str, delimiter: str
) -> None:
    """French Excel (cp1252, ;), UTF-8 with BOM, tabs, UTF-16 "Unicode text" all read."""
    md = """
| Nom | Sexe | Région |
| FICTIF Aïssata | Féminin | Ségou |
| "DÉMO", Moussa | Garçon | Tombouctou |
"""
    path = md_csv(md, delimiter=delimiter, encoding=encoding)
    with RegisterFile(path) as register:
        assert register.delimiter == delimiter
        rows = list(register.sheet(register.sheet_names[0]).rows())
    assert rows[1].cells == ("FICTIF Aïssata", "Féminin", "Ségou")
    assert rows[2].cells == ('"DÉMO", Moussa', "Garçon", "Tombouctou")


def test_csv_encoding_decided_over_the_whole_file(tmp_path: Path) -> None:
    """A cp1252 accent far down a file otherwise ASCII does not break the read."""
    lines = ["Nom;Sexe"] + [f"N{i};F" for i in range(20_000)] + ["Ségou;M"]
    path = tmp_path / "long.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    with RegisterFile(path) as register:
        assert register.encoding == "cp1252"
        rows = list(register.sheet("long").rows())
    assert rows[-1] == RawRow(20_002, ("Ségou", "M"))


def test_csv_sep_line_and_quoted_newlines(tmp_path: Path) -> None:
    """Excel's "sep=;" first line is honoured; quoted cells may hold line breaks."""
    path = tmp_path / "reg.csv"
    path.write_text('sep=;\nNom;Notes\nFICTIF;"ligne 1\nligne 2"\n', encoding="utf-8")
    with RegisterFile(path) as register:
        rows = list(register.sheet("reg").rows())
    assert rows == [RawRow(1, ("Nom", "Notes")), RawRow(2, ("FICTIF", "ligne 1\nligne 2"))]


def test_delimiter_sniffing_ignores_quoted_separators() -> None:
    """Commas inside quotes do not make a semicolon file look comma-separated."""
    sample = 'Nom;Notes\n"A, B";"x, y, z"\n"C";"d, e"\n'
    assert detect_delimiter(sample) == ";"
    assert detect_delimiter("a,b,c\n1,2,3\n") == ","
    assert detect_delimiter("a\tb\n1\t2\n") == "\t"


def test_1904_date_system(tmp_path: Path) -> None:
    """A workbook in the 1904 date system gives the right dates."""
    path = tmp_path / "mac.xlsx"
    wb = openpyxl.Workbook()
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    assert ws is not None
    ws.append(["Nom", "Date"])
    ws.append(["FICTIF", dt.date(2019, 3, 12)])
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'date1904="1"' in zf.read("xl/workbook.xml")
    with RegisterFile(path) as register:
        sheet = register.sheet(register.sheet_names[0])
        assert sheet.date1904
        rows = list(sheet.rows())
    assert rows[1].cells[1] == dt.date(2019, 3, 12)


def test_shared_strings_and_hidden_sheets(
    tmp_path: Path, shared_strings: Callable[[Path], Path]
) -> None:
    """A shared-strings workbook (as Excel writes) reads exactly like the same workbook with
    inline strings, with big or tiny blocks; hidden sheets are listed but not visible."""
    from cpcase.adapters.excel import _xlsx

    lines = "\n".join(
        f"| FICTIF {i} | {'F' if i % 2 else 'M'} | & <b> {i % 7} |" for i in range(400)
    )
    md = "| Nom | Sexe | Notes |\n" + lines
    path = write_md_workbook(
        tmp_path / "r.xlsx", {"Registre": md, "Listes": "| a |\n| b |"}, hidden=["Listes"]
    )
    with RegisterFile(path) as register:
        inline = list(register.sheet("Registre").rows())
        assert register.visible_sheet_names == ("Registre",)
    shared_strings(path)
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
        assert b't="s"' in zf.read("xl/worksheets/sheet1.xml")
    original = _xlsx._BLOCK
    try:
        for block in (original, 2048):
            _xlsx._BLOCK = block
            with RegisterFile(path) as register:
                assert register.sheet_names == ("Registre", "Listes")
                assert list(register.sheet("registre").rows()) == inline  # loose sheet name
    finally:
        _xlsx._BLOCK = original
    assert len(inline) == 401
    assert inline[400].cells == ("FICTIF 399", "F", "& <b> 0")


def test_unknown_sheet_suggests_close_names(md_workbook: Callable[..., Path]) -> None:
    """--sheet with a typo names the sheets and the closest one."""
    path = md_workbook("| Nom |\n| A |", sheet="Registre 2023")
    with RegisterFile(path) as register, pytest.raises(SheetNotFoundError) as info:
        register.sheet("Regsitre 2023")
    assert info.value.suggestions == ("Registre 2023",)
    assert "Registre 2023" in info.value.message_in("fr")


def test_streaming_reader_uses_small_blocks(tmp_path: Path) -> None:
    """Rows are identical whatever the block size (blocks are cut at row boundaries)."""
    from cpcase.adapters.excel import _xlsx

    path = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["N°", "Nom", "Date"])
    for i in range(3000):
        ws.append([i, f"FICTIF {i}", dt.date(2023, 1, 1) + dt.timedelta(days=i % 300)])
    wb.save(path)
    book = XlsxWorkbook(path, Limits())
    try:
        expected = list(book.sheet("Sheet").rows())
        original = _xlsx._BLOCK
        _xlsx._BLOCK = 4096  # many tiny blocks
        try:
            small = list(book.sheet("Sheet").rows())
        finally:
            _xlsx._BLOCK = original
    finally:
        book.close()
    assert small == expected
    assert len(expected) == 3001
    assert expected[-1].cells[0] == 2999.0


def test_rows_without_reference_attributes(tmp_path: Path) -> None:
    """Some tools number rows and cells by position only (no r="..."): row numbers stay
    right even when the sheet is larger than one block."""
    import re

    from cpcase.adapters.excel import _xlsx

    md = "| Nom | Âge |\n" + "\n".join(f"| FICTIF {i} | {i % 18} |" for i in range(500))
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": md})
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb' r="[A-Z]*\d+"', b"", sheet)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    original = _xlsx._BLOCK
    _xlsx._BLOCK = 1024
    try:
        with RegisterFile(path) as register:
            rows = list(register.sheet("R").rows())
    finally:
        _xlsx._BLOCK = original
    assert [r.number for r in rows] == list(range(1, 502))
    assert rows[-1].cells == ("FICTIF 499", float(499 % 18))


def test_xlsm_reads_like_xlsx_and_macros_are_ignored(tmp_path: Path) -> None:
    """A macro-enabled workbook (.xlsm) is read as data; its VBA part is never touched."""
    path = write_md_workbook(tmp_path / "r.xlsm", {"R": "| Nom | Sexe |\n| FICTIF | F |"})
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    with RegisterFile(path) as register:
        assert register.kind == "xlsx"
        rows = list(register.sheet("R").rows())
    assert rows[1].cells == ("FICTIF", "F")


def test_xlsx_cell_longer_than_the_limit(tmp_path: Path) -> None:
    """A cell beyond the cell-length limit is refused with its reference."""
    from cpcase.adapters.excel.errors import RegisterTooLargeError

    md = "| Nom | Notes |\n| FICTIF | " + "x" * 3000 + " |\n| DÉMO | court |"
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": md})
    with (
        RegisterFile(path, limits=Limits(max_cell_chars=2000)) as register,
        pytest.raises(RegisterTooLargeError) as info,
    ):
        list(register.sheet("R").rows())
    assert info.value.cell == "B2"
    with RegisterFile(path) as register:
        assert len(list(register.sheet("R").rows())) == 3


def _with_table(path: Path, sheet_xml: str, sst_items: list[str]) -> Path:
    """A workbook whose first sheet is ``sheet_xml`` (rows) and shared strings ``sst_items``
    (raw ``<si>`` contents: plain, rich-text runs, phonetic runs...)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Registre" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            f"{sheet_xml}</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" '
            f'count="{len(sst_items)}" uniqueCount="{len(sst_items)}">'
            + "".join(f"<si>{item}</si>" for item in sst_items)
            + "</sst>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


_TRICKY_STRINGS = [
    "<t>Nom</t>",
    "<t>Notes</t>",
    '<t xml:space="preserve">  Aminata  </t>',
    "<t>&amp; &lt;b&gt; &quot;x&quot; 'y'</t>",
    "<t>ligne 1\nligne 2\ttab</t>",
    "<r><t>TRA</t></r><r><rPr><b/></rPr><t>ORÉ</t></r>",
    '<t>ネーム</t><rPh sb="0" eb="1"><t>ネ</t></rPh>',
    "<t></t>",
    "<t>=1+2</t>",
    "<t>é ü ß 中文 🙂</t>",
]


def _tricky_sheet(rows: int) -> str:
    out = ['<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>']
    for r in range(2, rows + 2):
        a, b = 2 + r % 8, 2 + (r * 3) % 8
        out.append(
            f'<row r="{r}"><c r="A{r}" s="0" t="s"><v>{a}</v></c>'
            f'<c r="B{r}" t="s" s="0"><v>{b}</v></c><c r="C{r}"><v>{r}</v></c></row>'
        )
    return "".join(out)


def test_shared_strings_inlined_per_block_read_as_calamine_reads_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks get their shared strings inline (the table is not parsed again per block); the
    values are exactly those calamine reads through the table: rich text joined, phonetic runs
    dropped, spaces, markup characters and line breaks kept."""
    path = _with_table(tmp_path / "t.xlsx", _tricky_sheet(300), _TRICKY_STRINGS)
    monkeypatch.setattr(_xlsx, "_BLOCK", 2048)  # many blocks
    with RegisterFile(path) as register:
        inlined = list(register.sheet("Registre").rows())
    used: list[int] = []
    real = _xlsx._inline_shared

    def counted(block: bytes, table: list[bytes]) -> bytes | None:
        out = real(block, table)
        used.append(out is not None)
        return out

    monkeypatch.setattr(_xlsx, "_inline_shared", counted)
    with RegisterFile(path) as register:
        assert list(register.sheet("Registre").rows()) == inlined
    assert len(used) > 5
    assert all(used)
    # The same rows when every block carries the whole table (the path before).
    monkeypatch.setattr(_xlsx.XlsxWorkbook, "inline_strings", lambda self: None)
    with RegisterFile(path) as register:
        assert list(register.sheet("Registre").rows()) == inlined
    values = {v for row in inlined for v in row.cells if isinstance(v, str)}
    assert {"  Aminata  ", "& <b> \"x\" 'y'", "ligne 1\nligne 2\ttab", "TRAORÉ"} <= values


def test_shared_strings_that_cannot_go_inline_keep_the_table(tmp_path: Path) -> None:
    """A carriage return or an OOXML escape would not come back unchanged from an inline
    string: such tables stay whole in every block, and values are unchanged."""
    strings = [*_TRICKY_STRINGS[:2], "<t>a\rb</t>", "<t>x_x0001_y</t>", *_TRICKY_STRINGS[4:]]
    path = _with_table(tmp_path / "t.xlsx", _tricky_sheet(20), strings)
    with RegisterFile(path) as register:
        rows = list(register.sheet("Registre").rows())
        book = register._book  # type: ignore[attr-defined]
        assert book.inline_strings() is None
    assert len(rows) == 21
