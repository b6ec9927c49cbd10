"""Converting with worker processes gives the outputs of a single process, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from cpcase.adapters.excel import ConvertOptions, convert_register, write_large_register
from cpcase.adapters.excel import _parallel as parallel
from cpcase.adapters.excel import _xlsx as xlsx
from cpcase.adapters.excel._xlsx import XlsxSheet, _error_cells_as_text
from cpcase.adapters.excel.convert import RowConverter, _evolve
from cpcase.adapters.excel.errors import CorruptRegisterError
from cpcase.case import CaseFile
from cpcase.testing import case_files

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="worker processes need fork")

_TODAY = dt.date(2024, 3, 1)
_OUTPUTS = ("cases.jsonl", "cases.primero.jsonl", "rows.csv")


def _convert(register: Path, out: Path, workers: int) -> dict[str, Any]:
    summary = convert_register(
        register, out, ConvertOptions(today=_TODAY, primero=True, workers=workers)
    )
    data = summary.to_json()
    data.pop("outputs")
    return data


def _same_outputs(register: Path, tmp_path: Path) -> dict[str, Any]:
    one = _convert(register, tmp_path / "one", 1)
    two = _convert(register, tmp_path / "two", 2)
    assert json.dumps(one) == json.dumps(two)  # counts in the same order too
    for name in _OUTPUTS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    # The report too: every problem, in the same order, on the same cells (core.xml holds the
    # time the file was written).
    assert _report_parts(tmp_path / "one") == _report_parts(tmp_path / "two")
    return one


def _report_parts(out: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(out / "report.xlsx") as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_large_register(tmp_path_factory.mktemp("reg") / "register.xlsx", rows=1500)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of about 60 rows, so that the workers share many jobs."""
    monkeypatch.setattr(xlsx, "_READ", 16 << 10)
    monkeypatch.setattr(xlsx, "_BLOCK", 64 << 10)
    monkeypatch.setattr(parallel, "_JOB_BYTES", 64 << 10)
    monkeypatch.setattr(parallel, "_CSV_BATCH", 100)


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of ``_parallel.<name>`` (made in this process)."""
    calls: list[int] = []
    original = getattr(parallel, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, name, counted)
    return calls


def test_workers_write_what_one_process_writes(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = _counting(monkeypatch, "_replay")
    warned: list[int] = []
    original = RowConverter.with_duplicates

    def counted(self: RowConverter, row: Any, *args: Any) -> Any:
        warned.append(row.number)
        return original(self, row, *args)

    monkeypatch.setattr(RowConverter, "with_duplicates", counted)
    summary = _same_outputs(register, tmp_path)
    assert len(jobs) > 10  # many blocks, shared by the workers
    rows = summary["rows"]
    assert rows["read"] == 1500
    assert rows["converted"] > 1000
    # The register has duplicate children: the parent puts their warnings in place (found
    # when the claims are replayed), in the worker's and in its own rows.
    duplicates = summary["problems"]["by_code"]["duplicate_child"]
    assert duplicates > 20
    assert len(warned) == duplicates


def test_duplicate_numbers_and_codes_from_a_csv(tmp_path: Path) -> None:
    header = (
        "N° dossier;Code du cas;Date d'enregistrement;Nom et prénom;Sexe;Âge;"
        "Préoccupation principale;Source d'identification;Identifié par;Niveau de risque\n"
    )
    lines = []
    for i in range(1, 3001):
        number = i if i % 7 else i - 1  # every seventh register number repeats the previous one
        code = f"ML-BKO-ONG-2024-{i:05d}" if i % 11 else f"ML-BKO-ONG-2024-{i - 1:05d}"
        lines.append(
            f"{number};{code};0{1 + i % 9}/02/2024;Enfant{i} FICTIF;{'MF'[i % 2]};{5 + i % 12};"
            f"Enfant non accompagné;Communauté;Relais communautaire;Élevé\n"
        )
    register = tmp_path / "register.csv"
    register.write_text(header + "".join(lines), encoding="utf-8")
    summary = _same_outputs(register, tmp_path)
    codes = summary["problems"]["by_code"]
    assert codes["duplicate_number"] > 400  # warnings, and rejected duplicate case codes
    assert summary["rows"]["rejected"] >= 3000 // 11


def test_a_job_failing_in_a_worker_is_redone_here(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    original = XlsxSheet.parse_block

    def flaky(self: XlsxSheet, prologue: bytes, block: bytes, epilogue: bytes) -> Any:
        if os.getpid() != parent:
            raise MemoryError("only in workers")
        return original(self, prologue, block, epilogue)

    expected = _convert(register, tmp_path / "one", 1)
    monkeypatch.setattr(XlsxSheet, "parse_block", flaky)
    redone = _counting(monkeypatch, "_redo")
    assert _convert(register, tmp_path / "two", 2) == expected
    assert len(redone) > 10
    for name in _OUTPUTS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_broken_block_raises_the_real_error(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = XlsxSheet.parse_block

    def broken(self: XlsxSheet, prologue: bytes, block: bytes, epilogue: bytes) -> Any:
        if b'r="900"' in block:
            raise CorruptRegisterError("broken block", "bloc cassé", path=Path("register.xlsx"))
        return original(self, prologue, block, epilogue)

    monkeypatch.setattr(XlsxSheet, "parse_block", broken)
    with pytest.raises(CorruptRegisterError, match="broken block"):
        _convert(register, tmp_path / "out", 2)
    assert not any((tmp_path / "out").glob("*.jsonl"))
    assert not any(p.name.endswith(".tmp") for p in (tmp_path / "out").iterdir())


def test_a_truncated_sheet_fails_alike_in_both_modes(register: Path, tmp_path: Path) -> None:
    broken = tmp_path / "truncated.xlsx"
    with zipfile.ZipFile(register) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) * 2 // 3]
            target.writestr(info, data)
    messages = []
    for workers in (1, 2):
        with pytest.raises(CorruptRegisterError) as caught:
            _convert(broken, tmp_path / f"out{workers}", workers)
        messages.append(str(caught.value))
        assert not any((tmp_path / f"out{workers}").glob("*.jsonl"))
    assert messages[0] == messages[1]


_OLD_ERROR_CELL = re.compile(rb"(<(?:\w+:)?c\b[^>]*?\bt=)([\"'])e\2")


@pytest.mark.parametrize(
    "xml",
    [
        b'<c r="A1" t="e"><v>#N/A</v></c>',
        b"<x:c r='A1' t='e'><x:v>#REF!</x:v></x:c>",
        b'<c r="A1" t="inlineStr"><is><t> t="e"</t></is></c><c r="B1" s="1" t="e"><v>#N/A</v></c>',
        b'<c r="A1" t="s"><v>1</v></c>',
        b'<cx r="A1" t="e"/>',
        b'<c\tr="A1"\tt="e"/>',
        b'<c r="A1" tt="e"/>',
        b'<row r="2"><c r="A2" t="e"><v>#DIV/0!</v></c><c r="B2" t="e"><v>#NAME?</v></c></row>',
    ],
)
def test_error_cells_are_rewritten_only_in_cell_tags(xml: bytes) -> None:
    assert _error_cells_as_text(xml) == _OLD_ERROR_CELL.sub(rb"\1\2str\2", xml)


@given(case_files())
def test_evolve_is_model_copy(case: CaseFile) -> None:
    update = {"status": case.status, "supervisor_id": "SUP-9", "extra_fields": {"k": 1}}
    fast = _evolve(case, update)
    slow = case.model_copy(update=update)
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert json.loads(fast.model_dump_json()) == json.loads(slow.model_dump_json())


def test_cli_workers_option(register: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cpcase.cli import main

    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        result = CliRunner().invoke(
            main,
            [
                "convert",
                str(register),
                "-o",
                str(out),
                "--to",
                "primero",
                "--today",
                "2024-03-01",
                "--workers",
                workers,
                "--quiet",
            ],
        )
        assert result.exit_code == 3, result.output  # the generated register has rejects
        outputs.append([(out / name).read_bytes() for name in _OUTPUTS])
    assert outputs[0] == outputs[1]
    bad = CliRunner().invoke(main, ["convert", str(register), "-o", "x", "--workers", "-1"])
    assert bad.exit_code == 2


@pytest.mark.skipif(
    not hasattr(parallel.fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are a Linux feature"
)
def test_pool_pipes_are_widened() -> None:
    """Jobs and results cross the pipes a megabyte at a time (each piece costs the pool's
    threads a turn at the GIL)."""
    import fcntl
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        parallel._widen_pipes(pool)
        for queue in (pool._inqueue, pool._outqueue):  # type: ignore[attr-defined]
            size = fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
            assert size >= parallel._PIPE_BYTES
