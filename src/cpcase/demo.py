"""``make demo``: the main job of a data officer, end to end, on the bundled sample register.

1. convert the bundled synthetic French register into validated case files (+ report);
2. list due and overdue tasks and the caseload against the Mali 2020 policy;
3. the monthly data sheet, an anonymised case-conference export and a consent-gated referral;
4. push the cases to an in-process fake CPIMS+/Primero server and pull them back;
5. seal the cases in an encrypted age archive and verify it.

Every output goes under ``--out`` (default ``demo-out/``). The sample data is synthetic.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import sys
from pathlib import Path

__all__ = ["main"]


def _title(text: str) -> None:
    print(f"\n== {text} ==", flush=True)


def _cli(args: list[str], *, head: int = 0) -> None:
    """Run a ``cpcase`` command; with ``head``, print only its first lines and its last line."""
    from cpcase.cli import main as cli

    if not head:
        try:
            cli.main(args, prog_name="cpcase", standalone_mode=False)
        except SystemExit as exc:  # commands that end with sys.exit(0) on success
            if exc.code not in (0, None):
                raise
        return
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        cli.main(args, prog_name="cpcase", standalone_mode=False)
    lines = buffer.getvalue().rstrip("\n").splitlines()
    shown = lines if len(lines) <= head + 1 else [*lines[:head], "  ...", lines[-1]]
    print("\n".join(shown))


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m cpcase.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    from cpcase.adapters.excel.demo import DEMO_TODAY, demo_convert
    from cpcase.adapters.excel.sample import SAMPLE_REGISTER

    today: dt.date = DEMO_TODAY
    _title(f"1. Convert the sample register {SAMPLE_REGISTER.name} (today = {today})")
    convert_dir = out / "convert"
    summary = demo_convert(convert_dir, lang=args.lang)
    cases = convert_dir / "cases.jsonl"
    if not cases.is_file():
        print(f"conversion produced no {cases}", file=sys.stderr)
        return 1
    del summary

    _title("2. Policy, tasks and caseload (policy mali-2020)")
    _cli(["policy", "show", "mali-2020"], head=10)
    _cli(["tasks", str(cases), "--today", today.isoformat()], head=12)
    _cli(["tasks", str(cases), "--today", today.isoformat(), "--xlsx", str(out / "tasks.xlsx")])
    _cli(["caseload", str(cases)])

    _title("3. Information sharing and monthly indicators")
    from cpcase.cli.sharing import demo_sharing

    (out / "sharing").mkdir(exist_ok=True)
    print(demo_sharing(cases, out / "sharing"))
    _cli(
        [
            "export",
            str(cases),
            "-o",
            str(out / "sharing" / "reunion.xlsx"),
            "--audience",
            "meeting",
            "--actor",
            "GC-03",
            "--organisation",
            "ORG",
        ]
    )

    _title("4. Push to a fake CPIMS+/Primero server and pull back")
    from cpcase.adapters.primero.demo import demo_round_trip

    print(demo_round_trip(cases, out / "primero", today=today))

    _title("5. Encrypted archive (age format)")
    from cpcase.adapters.archive.demo import demo_archive

    print(demo_archive(cases, out / "archive"))

    _title(f"Done: outputs in {out}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
