"""Malformed and hostile files: clear errors, never a crash, never a modified input."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cpcase.adapters.excel.errors import (
    CorruptRegisterError,
    RegisterEncodingError,
    RegisterError,
    RegisterTooLargeError,
    UnsafeRegisterError,
    UnsupportedRegisterError,
)
from cpcase.adapters.excel.limits import Limits
from cpcase.adapters.excel.reader import RegisterFile

MD = """
| Nom | Sexe | Date |
| FICTIF | F | 12/03/2023 |
"""


def _read_all(path: Path, limits: Limits | None = None) -> int:
    with RegisterFile(path, limits=limits or Limits()) as register:
        return sum(1 for _ in register.sheet(register.sheet_names[0]).rows())


def _rewrite(path: Path, part: str, transform: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts[part] = transform(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def test_truncated_zip(md_workbook: Callable[..., Path]) -> None:
    """A download cut short is reported as damaged, with the file name."""
    path = md_workbook(MD)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptRegisterError) as info:
        _read_all(path)
    assert path.name in str(info.value)
    assert "incompl" in info.value.message_in("fr")


def test_damaged_sheet_data(md_workbook: Callable[..., Path]) -> None:
    """A sheet part whose compressed bytes are damaged fails the CRC/deflate check."""
    path = md_workbook(MD)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    for i in range(start, start + 20):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptRegisterError):
        _read_all(path)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xxe_payload_is_refused(md_workbook: Callable[..., Path], part: str) -> None:
    """An external-entity declaration anywhere is refused before any value is read."""
    path = md_workbook(MD)

    def inject(data: bytes) -> bytes:
        head, _, rest = data.partition(b"?>")
        doctype = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        body = rest.replace(b"FICTIF", b"&xxe;")
        return head + b"?>" + doctype + body

    _rewrite(path, part, inject)
    with pytest.raises(UnsafeRegisterError) as info:
        _read_all(path)
    assert "XXE" in str(info.value)


def test_billion_laughs_in_shared_strings(
    md_workbook: Callable[..., Path], shared_strings: Callable[[Path], Path]
) -> None:
    """Nested entity expansion in the shared strings is refused."""
    path = shared_strings(md_workbook(MD))

    def inject(data: bytes) -> bytes:
        head, _, rest = data.partition(b"?>")
        bomb = b'<!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        return head + b"?>" + bomb + rest.replace(b"FICTIF", b"&b;")

    _rewrite(path, "xl/sharedStrings.xml", inject)
    with pytest.raises(UnsafeRegisterError):
        _read_all(path)


def test_zip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    """A tiny file that expands hugely is stopped while decompressing (declared sizes lie)."""
    path = tmp_path / "bomb.xlsx"
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * 30 + b"</t></is></c></row>"
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + row * 200_000 + b"</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"/>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    assert path.stat().st_size < 200_000
    with pytest.raises(RegisterTooLargeError) as info:
        _read_all(path, Limits(max_uncompressed_bytes=4_000_000))
    assert "bomb" in str(info.value)
    with pytest.raises((UnsafeRegisterError, RegisterTooLargeError)):
        _read_all(path, Limits(max_compression_ratio=50))
    with pytest.raises(RegisterTooLargeError):
        _read_all(path, Limits(max_rows=1000))


def test_too_many_columns(md_workbook: Callable[..., Path]) -> None:
    """A sheet wider than the column limit is refused."""
    wide = "| " + " | ".join(f"C{i}" for i in range(40)) + " |"
    path = md_workbook(wide)
    with pytest.raises(RegisterTooLargeError):
        _read_all(path, Limits(max_columns=30))


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le"),
            UnsupportedRegisterError,
            "xlsx",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\0" * 600
            + "EncryptedPackage".encode("utf-16-le"),
            UnsupportedRegisterError,
            "mot de passe",
        ),
        (
            b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            UnsupportedRegisterError,
            "xlsx",
        ),
        (b"", UnsupportedRegisterError, "vide"),
        (b"Nom;Sexe\r\nA\x00B;F\r\n", RegisterEncodingError, "UTF-8"),
    ],
)
def test_unsupported_files_say_how_to_convert(
    tmp_path: Path, content: bytes, error: type[RegisterError], words: str
) -> None:
    """.xls, password-protected, HTML saved as .xls, empty and binary files: clear messages."""
    path = tmp_path / "registre.xls"
    path.write_bytes(content)
    with pytest.raises(error) as info:
        _read_all(path)
    assert words in info.value.message_in("fr")


def test_ods_is_refused_with_instructions(tmp_path: Path) -> None:
    """An OpenDocument spreadsheet is recognised and the conversion is explained."""
    path = tmp_path / "registre.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnsupportedRegisterError) as info:
        _read_all(path)
    assert "soffice --headless --convert-to xlsx" in info.value.message_in("fr")


def test_forced_wrong_encoding(tmp_path: Path) -> None:
    """Forcing UTF-8 on a cp1252 file names the byte that does not decode."""
    path = tmp_path / "r.csv"
    path.write_bytes("Nom;Région\r\nFICTIF;Ségou\r\n".encode("cp1252"))
    with pytest.raises(RegisterEncodingError) as info:
        RegisterFile(path, encoding="utf-8")
    assert "byte" in str(info.value)
    with RegisterFile(path) as register:  # detected, it reads
        assert register.encoding == "cp1252"


def test_csv_cell_too_long(tmp_path: Path) -> None:
    """A CSV cell beyond the cell limit is refused with its row."""
    path = tmp_path / "r.csv"
    path.write_text("Nom;Notes\r\nFICTIF;" + "x" * 5000 + "\r\n", encoding="utf-8")
    with pytest.raises(RegisterTooLargeError) as info:
        _read_all(path, Limits(max_cell_chars=1000))
    assert "2" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is an import error, not a traceback."""
    with pytest.raises(CorruptRegisterError):
        RegisterFile(tmp_path / "absent.xlsx")


def test_inputs_are_never_modified(
    md_workbook: Callable[..., Path], md_csv: Callable[..., Path], tmp_path: Path
) -> None:
    """Reading and converting leave the register byte-for-byte (and its mtime) unchanged."""
    import datetime as dt

    from cpcase.adapters.excel.convert import ConvertOptions, convert_register

    for path in (md_workbook(MD), md_csv(MD)):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        mtime = path.stat().st_mtime_ns
        convert_register(
            path, tmp_path / f"out-{path.suffix[1:]}", ConvertOptions(today=dt.date(2024, 1, 1))
        )
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert path.stat().st_mtime_ns == mtime
