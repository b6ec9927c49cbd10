"""Run every benchmark module and print a table of ratios (``make bench``)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path

from benchmarks._common import Result


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    only = sys.argv[1:]
    results: list[Result] = []
    here = Path(__file__).parent
    for mod in sorted(m.name for m in pkgutil.iter_modules([str(here)])):
        if not mod.startswith("bench_") or (only and mod not in only):
            continue
        print(f"# running {mod} (scale {scale})", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.{mod}")
        results.extend(module.run(scale))
    print(f"{'benchmark':52} {'measured':>10} {'baseline':>10} {'ratio':>7} {'target':>8}  ok")
    for r in results:
        cmp = ">=" if r.higher_is_better else "<="
        print(
            f"{r.name:52} {r.measured:>9.3f}{r.unit[:1]} {r.baseline:>9.3f}{r.unit[:1]} "
            f"{r.ratio:>7.3f} {cmp}{r.target:>6.2f}  {'yes' if r.ok else 'NO'}"
            + (f"  ({r.note})" if r.note else "")
        )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
