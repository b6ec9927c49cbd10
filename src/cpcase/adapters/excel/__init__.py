"""Excel and CSV registers: streaming import with a cell-level report, templates and export.

Data officers keep registers in Excel (SOP §6.3 L1193: "databases may be developed in Excel").
This adapter reads them fast and safely, maps their columns (French and English synonyms, or a
TOML mapping file), turns every row into a :class:`~cpcase.case.CaseFile` or into cell-level
problems, and writes blank templates and case exports back to Excel::

    import datetime as dt
    from cpcase.adapters.excel import ConvertOptions, convert_register

    summary = convert_register("registre.xlsx", "sortie", ConvertOptions(today=dt.date.today()))
    print(summary.render("fr"))

See docs/registers.md.
"""

from __future__ import annotations

from cpcase.adapters.excel.cells import EXCEL_ERRORS, CellValue, ExcelError, RawRow
from cpcase.adapters.excel.coerce import (
    AgeValue,
    CoercionError,
    DateOptions,
    DateValue,
    EnumIndex,
    excel_serial_to_date,
    parse_age,
    parse_bool,
    parse_date,
)
from cpcase.adapters.excel.columns import FIELDS, FIELDS_BY_KEY, RegisterField, match_header
from cpcase.adapters.excel.convert import (
    ConvertOptions,
    RowConverter,
    RowResult,
    Summary,
    convert_register,
)
from cpcase.adapters.excel.demo import demo_convert
from cpcase.adapters.excel.errors import (
    CorruptRegisterError,
    HeaderNotFoundError,
    MappingFileError,
    RegisterEncodingError,
    RegisterError,
    RegisterTooLargeError,
    SheetNotFoundError,
    UnsafeRegisterError,
    UnsupportedRegisterError,
)
from cpcase.adapters.excel.export import (
    ExportAudienceError,
    ExportSummary,
    RefusedCase,
    export_cases,
)
from cpcase.adapters.excel.limits import DEFAULT_LIMITS, Limits
from cpcase.adapters.excel.mapping import MappingConfig, load_mapping, mapping_draft
from cpcase.adapters.excel.problems import Problem, ProblemCode, Severity
from cpcase.adapters.excel.reader import RegisterFile
from cpcase.adapters.excel.sample import (
    SAMPLE_REGISTER,
    write_large_register,
    write_sample_register,
)
from cpcase.adapters.excel.template import write_template

__all__ = [
    "DEFAULT_LIMITS",
    "EXCEL_ERRORS",
    "FIELDS",
    "FIELDS_BY_KEY",
    "SAMPLE_REGISTER",
    "AgeValue",
    "CellValue",
    "CoercionError",
    "ConvertOptions",
    "CorruptRegisterError",
    "DateOptions",
    "DateValue",
    "EnumIndex",
    "ExcelError",
    "ExportAudienceError",
    "ExportSummary",
    "HeaderNotFoundError",
    "Limits",
    "MappingConfig",
    "MappingFileError",
    "Problem",
    "ProblemCode",
    "RawRow",
    "RefusedCase",
    "RegisterEncodingError",
    "RegisterError",
    "RegisterField",
    "RegisterFile",
    "RegisterTooLargeError",
    "RowConverter",
    "RowResult",
    "Severity",
    "SheetNotFoundError",
    "Summary",
    "UnsafeRegisterError",
    "UnsupportedRegisterError",
    "convert_register",
    "demo_convert",
    "excel_serial_to_date",
    "export_cases",
    "load_mapping",
    "mapping_draft",
    "match_header",
    "parse_age",
    "parse_bool",
    "parse_date",
    "write_large_register",
    "write_sample_register",
    "write_template",
]
