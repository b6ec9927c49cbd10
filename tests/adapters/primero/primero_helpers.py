"""Helpers for the Primero adapter tests (synthetic data only)."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from pathlib import Path
from typing import Any

from cpcase.adapters.primero import (
    BasicAuth,
    FakePrimero,
    MockTransport,
    PrimeroClient,
    RetryPolicy,
)
from cpcase.case import CaseFile
from cpcase.forms import RegistrationForm

BASE = "http://primero.test"
TODAY = dt.date(2026, 11, 23)


class Sleeps:
    """Records requested sleeps instead of sleeping (retry timing assertions)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(fake: FakePrimero, sleeps: Sleeps | None = None, **kw: Any) -> PrimeroClient:
    """A client talking to ``fake`` in-process, with recorded sleeps and a fixed seed."""
    return PrimeroClient(
        base_url=BASE,
        auth=kw.pop("auth", None) or BasicAuth(*fake.credentials),
        transport=MockTransport(fake),
        sleep=sleeps if sleeps is not None else Sleeps(),
        seed=7,
        retry=kw.pop("retry", None) or RetryPolicy(max_attempts=6, backoff_base=0.01),
        **kw,
    )


def registration(code: str, **changes: Any) -> RegistrationForm:
    """A valid 1.B registration with synthetic values (no real child)."""
    data: dict[str, Any] = {
        "case_code": code,
        "form_date": dt.date(2026, 3, 2),
        "identification_date": dt.date(2026, 3, 1),
        "registration_date": dt.date(2026, 3, 2),
        "identification_source": "outreach",
        "identified_by": "cp_organisation",
        "name_first": "Awa",
        "name_last": "Test",
        "sex": "female",
        "age": 12,
        "age_status": "documented",
        "protection_concern_primary": "neglect",
        "protection_concerns_secondary": ["child_labour"],
        "separation_status": "separated",
        "eligibility_outcome": "case_opened",
        "location_current": "ML0701",
    }
    data.update(changes)
    return RegistrationForm.model_validate(data, context={"today": TODAY})


def small_case(n: int, org: str = "TDH", **reg: Any) -> CaseFile:
    """A small valid case file with a registration (fast to push in bulk)."""
    code = f"ML-MOP-{org}-2026-{n:05d}"
    return CaseFile(
        case_code=code,
        organisation_id=org,
        registration=registration(code, **{"age": n % 18, **reg}),
    )


def services(code: str, *rows: dict[str, Any], entry_id: str | None = None) -> Any:
    """A valid 4.A form with the given service rows (defaults fill the required cells)."""
    from cpcase.forms import ServicesProvided

    full = [
        {
            "row_id": f"svc-{i + 1}",
            "service_type": "health_care",
            "service_referral": "direct",
            "service_response_day_time": dt.date(2026, 3, 3),
            **row,
        }
        for i, row in enumerate(rows)
    ]
    return ServicesProvided.model_validate(
        {
            "case_code": code,
            "form_date": dt.date(2026, 3, 3),
            "entry_id": entry_id,
            "services_section": full,
        },
        context={"today": TODAY},
    )


GOLDEN = Path(__file__).parent / "data"


def golden_lines(name: str) -> list[str]:
    """The lines of a gzipped golden file under ``data/``."""
    with gzip.open(GOLDEN / name, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


@functools.cache
def golden_cases() -> tuple[CaseFile, ...]:
    """The 672 golden case files the mapping goldens were made from."""
    return tuple(
        CaseFile.model_validate_json(line)
        for line in golden_lines("mapping_golden_cases.jsonl.gz")
    )
