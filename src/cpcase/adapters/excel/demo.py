"""``make demo`` step: convert the bundled synthetic register and show the summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cpcase.adapters.excel.convert import ConvertOptions, Summary, convert_register
from cpcase.adapters.excel.sample import SAMPLE_REGISTER
from cpcase.labels import Lang

__all__ = ["DEMO_TODAY", "demo_convert"]

#: The demo's reference day (fixed, so the demo's output never changes).
DEMO_TODAY = dt.date(2024, 3, 1)


def demo_convert(
    out_dir: Path | str, *, lang: Lang = "fr", echo: bool = True, primero: bool = True
) -> Summary:
    """Convert the bundled register (:data:`SAMPLE_REGISTER`) into ``out_dir`` and return
    (and, with ``echo``, print) the summary."""
    options = ConvertOptions(today=DEMO_TODAY, lang=lang, primero=primero)
    summary = convert_register(SAMPLE_REGISTER, Path(out_dir), options)
    if echo:
        print(summary.render(lang))
    return summary
