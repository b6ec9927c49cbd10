"""Every Primero error shape becomes the right typed exception with readable attributes."""

from __future__ import annotations

import datetime as dt
import email.utils
import json

import pytest

from cpcase.adapters.primero import (
    PrimeroAPIError,
    PrimeroAuthError,
    PrimeroConflictError,
    PrimeroError,
    PrimeroForbiddenError,
    PrimeroNotFoundError,
    PrimeroRateLimitError,
    PrimeroServerError,
    PrimeroUnavailableError,
    PrimeroValidationError,
)
from cpcase.adapters.primero.errors import (
    api_error_from_response,
    parse_error_body,
    parse_retry_after,
)
from cpcase.errors import AdapterError, ConsentRequired


def _body(payload: object) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, PrimeroAuthError),
        (403, PrimeroForbiddenError),
        (404, PrimeroNotFoundError),
        (409, PrimeroConflictError),
        (422, PrimeroValidationError),
        (429, PrimeroRateLimitError),
        (503, PrimeroUnavailableError),
        (500, PrimeroServerError),
        (502, PrimeroServerError),
        (504, PrimeroServerError),
        (418, PrimeroAPIError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[PrimeroAPIError]) -> None:
    err = api_error_from_response(
        status,
        _body({"errors": [{"status": status, "message": "m"}]}),
        None,
        method="GET",
        path="/api/v2/cases",
    )
    assert type(err) is cls
    assert isinstance(err, PrimeroError)
    assert isinstance(err, AdapterError)
    assert err.status == status
    assert err.method == "GET"
    assert err.path == "/api/v2/cases"
    assert f"HTTP {status}" in str(err)


def test_invalid_record_json_pointers() -> None:
    body = _body(
        {
            "errors": [
                {
                    "status": 422,
                    "resource": "/api/v2/cases",
                    "detail": ["/date_of_birth", "/services_section/0/service_type"],
                    "message": "Invalid Record JSON",
                }
            ]
        }
    )
    err = api_error_from_response(422, body, None, method="POST", path="/api/v2/cases")
    assert isinstance(err, PrimeroValidationError)
    assert err.pointers == ("/date_of_birth", "/services_section/0/service_type")
    assert err.fields == ("date_of_birth", "services_section")
    assert err.errors[0].resource == "/api/v2/cases"
    assert "Invalid Record JSON" in str(err)
    assert "/date_of_birth" in str(err)


def test_record_invalid_one_error_per_attribute_with_message_lists() -> None:
    """ActiveRecord::RecordInvalid: message is a list, detail a field name (transitions)."""
    body = _body(
        {
            "errors": [
                {
                    "status": 422,
                    "resource": "/r",
                    "detail": "consent",
                    "message": ["transition.errors.consent"],
                },
                {
                    "status": 422,
                    "resource": "/r",
                    "detail": "transitioned_to",
                    "message": ["can't be blank", "transition.errors.to_user_can_receive"],
                },
            ]
        }
    )
    err = api_error_from_response(422, body, None, method="POST", path="/r")
    assert isinstance(err, PrimeroValidationError)
    assert err.pointers == ()
    assert err.fields == ("consent", "transitioned_to")
    assert err.errors[1].message == "can't be blank; transition.errors.to_user_can_receive"


def test_code_key_is_read_when_status_is_missing() -> None:
    """The docs show "code" where the code emits "status": both are read."""
    details, _ = parse_error_body(_body({"errors": [{"code": 403, "message": "Forbidden"}]}), 403)
    assert details[0].status == 403
    assert details[0].message == "Forbidden"


def test_status_falls_back_to_http_status() -> None:
    details, _ = parse_error_body(_body({"errors": [{"message": "x", "status": "bad"}]}), 500)
    assert details[0].status == 500


def test_devise_401_shape() -> None:
    err = api_error_from_response(
        401, _body({"error": "Invalid User name or password."}), None, method="GET", path="/x"
    )
    assert isinstance(err, PrimeroAuthError)
    assert err.errors[0].message == "Invalid User name or password."


def test_plain_text_429_from_rack_attack() -> None:
    err = api_error_from_response(
        429, b"Retry later\n", "60", method="POST", path="/api/v2/tokens"
    )
    assert isinstance(err, PrimeroRateLimitError)
    assert err.retry_after == 60.0
    assert err.errors[0].message == "Retry later"


def test_html_gateway_error_keeps_a_short_line() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 500 + b"</body>"
    err = api_error_from_response(502, html, None, method="GET", path="/x")
    assert isinstance(err, PrimeroServerError)
    assert len(err.errors[0].message) <= 120


def test_503_retry_after_from_detail_when_header_missing() -> None:
    body = _body(
        {
            "errors": [
                {
                    "status": 503,
                    "resource": "/x",
                    "detail": "Retry-After: 60",
                    "message": "Service Unavailable",
                }
            ]
        }
    )
    err = api_error_from_response(503, body, None, method="GET", path="/x")
    assert isinstance(err, PrimeroUnavailableError)
    assert err.retry_after == 60.0


def test_empty_body() -> None:
    err = api_error_from_response(500, b"", None, method="GET", path="/x")
    assert isinstance(err, PrimeroServerError)
    assert err.errors == ()


def test_retry_after_http_date_and_garbage() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    value = parse_retry_after(email.utils.format_datetime(later, usegmt=True))
    assert value is not None
    assert 100 < value <= 121
    assert parse_retry_after("not a date") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


def test_consent_error_is_also_a_sharing_refusal() -> None:
    from cpcase.adapters.primero import PrimeroConsentError

    err = PrimeroConsentError("refused", missing=("disclosure_other_orgs",))
    assert isinstance(err, ConsentRequired)
    assert isinstance(err, PrimeroError)
    assert err.missing == ("disclosure_other_orgs",)
