"""Safety limits applied while reading registers (zip bombs, runaway files).

An .xlsx file is a zip archive of XML: a few kilobytes can expand to gigabytes. Every limit is
checked while decompressing (declared sizes in a zip can lie), and exceeding one raises
:class:`~cpcase.adapters.excel.errors.RegisterTooLargeError` naming the limit.
"""

from __future__ import annotations

import attrs

__all__ = ["DEFAULT_LIMITS", "Limits"]

_MIB = 1024 * 1024


@attrs.frozen
class Limits:
    """Bounds on what a register may contain. The defaults fit any real register.

    Excel itself stops at 1,048,576 rows, 16,384 columns and 32,767 characters per cell; a
    register needs far fewer columns, so the column bound is tighter.
    """

    #: Size of the file on disk.
    max_file_bytes: int = 512 * _MIB
    #: Total uncompressed size of the parts read from an .xlsx (worksheet, strings, styles).
    max_uncompressed_bytes: int = 2048 * _MIB
    #: Uncompressed size of the shared-strings part (held in memory while reading).
    max_shared_strings_bytes: int = 256 * _MIB
    #: Uncompressed / compressed size of any part; real workbooks stay far below.
    max_compression_ratio: float = 1000.0
    #: Data rows in the sheet (or records in a CSV).
    max_rows: int = 1_048_576
    #: Columns in the sheet.
    max_columns: int = 1000
    #: Characters in one cell.
    max_cell_chars: int = 32_767
    #: Merged-cell ranges in the sheet.
    max_merged_ranges: int = 100_000

    def __attrs_post_init__(self) -> None:
        for name in (
            "max_file_bytes",
            "max_uncompressed_bytes",
            "max_shared_strings_bytes",
            "max_rows",
            "max_columns",
            "max_cell_chars",
            "max_merged_ranges",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive")
        if self.max_compression_ratio <= 1:
            raise ValueError("Limits.max_compression_ratio must be above 1")


DEFAULT_LIMITS = Limits()
