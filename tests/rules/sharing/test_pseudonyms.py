"""Keyed pseudonyms (HMAC-SHA256) and the separate code↔name list."""

from __future__ import annotations

import base64
import datetime as dt
import doctest
import hashlib
import hmac
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.rules.sharing import pseudonyms
from cpcase.rules.sharing.pseudonyms import (
    NameEntry,
    NameList,
    PseudonymError,
    PseudonymKey,
    case_pseudonym,
    child_pseudonym,
    normalise_name,
)

KEY = PseudonymKey(bytes(range(32)))
OTHER = PseudonymKey(bytes(range(1, 33)))


def test_module_doctests() -> None:
    result = doctest.testmod(pseudonyms)
    assert result.attempted > 0
    assert result.failed == 0


def test_known_vector_is_hmac_sha256_of_the_documented_message() -> None:
    # Recompute independently from the documented construction.
    message = json.dumps(["awa traore", "2012-03-04", "female"]).encode("ascii")
    mac = hmac.new(
        bytes(range(32)), b"cpcase-child-pseudonym/v1\x00" + message, hashlib.sha256
    ).digest()
    want = "PSN-" + base64.b32encode(mac).decode().rstrip("=")[:26]
    got = child_pseudonym(
        KEY, names=["Awa", "TRAORÉ"], birth_date=dt.date(2012, 3, 4), sex="female"
    )
    assert got == want


def test_normalise_name() -> None:
    assert normalise_name("  Traoré  AWA ") == ("awa", "traore")
    assert normalise_name("N'Diaye-Koné") == ("diaye", "kone", "n")


def test_pseudonym_depends_on_key_and_every_field() -> None:
    base = child_pseudonym(KEY, names=["Awa Traoré"], birth_date="2012-03-04", sex="female")
    assert base != child_pseudonym(
        OTHER, names=["Awa Traoré"], birth_date="2012-03-04", sex="female"
    )
    assert base != child_pseudonym(
        KEY, names=["Awa Traoré"], birth_date="2012-03-05", sex="female"
    )
    assert base != child_pseudonym(KEY, names=["Awa Traoré"], birth_date="2012-03-04", sex="male")
    assert base != child_pseudonym(KEY, names=["Awa Koné"], birth_date="2012-03-04", sex="female")


def test_pseudonym_never_contains_the_name() -> None:
    p = child_pseudonym(KEY, names=["Awa"], birth_date=None, sex=None)
    assert "awa" not in p.lower()


def test_pseudonym_needs_a_name() -> None:
    with pytest.raises(PseudonymError):
        child_pseudonym(KEY, names=["  ", "-"], birth_date=None, sex=None)


def test_case_pseudonym() -> None:
    a = case_pseudonym(KEY, "ML-MOP-ORG-2026-00042")
    assert a == case_pseudonym(KEY, " ml-mop-org-2026-00042 ")
    assert a != case_pseudonym(OTHER, "ML-MOP-ORG-2026-00042")
    assert a.startswith("PSC-")
    assert "00042" not in a
    with pytest.raises(PseudonymError):
        case_pseudonym(KEY, " ")


def test_key_is_never_shown() -> None:
    secret = bytes(range(32))
    key = PseudonymKey(secret)
    for text in (repr(key), str(key), f"{key}"):
        assert secret.hex() not in text
        assert key.fingerprint in text
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_key_round_trip_and_validation() -> None:
    key = PseudonymKey.generate()
    assert PseudonymKey.from_hex(key.export_hex()) == key
    assert key != PseudonymKey.generate()
    with pytest.raises(PseudonymError, match="at least 32 bytes"):
        PseudonymKey(b"short")
    with pytest.raises(PseudonymError, match="hexadecimal") as info:
        PseudonymKey.from_hex("zz-not-hex-secret")
    assert "not-hex-secret" not in str(info.value)


@given(
    names=st.lists(st.text(alphabet="abcdéèAZ -'", min_size=1, max_size=12), min_size=1),
    birth=st.dates(dt.date(2005, 1, 1), dt.date(2026, 12, 31)),
    sex=st.sampled_from(["female", "male", "other"]),
)
def test_pseudonym_ignores_order_case_and_accents(
    names: list[str], birth: dt.date, sex: str
) -> None:
    tokens = [t for n in names for t in normalise_name(n)]
    if not tokens:
        with pytest.raises(PseudonymError):
            child_pseudonym(KEY, names=names, birth_date=birth, sex=sex)
        return
    a = child_pseudonym(KEY, names=names, birth_date=birth, sex=sex)
    b = child_pseudonym(
        KEY, names=[n.upper() for n in reversed(names)], birth_date=birth.isoformat(), sex=sex
    )
    assert a == b


def _names() -> NameList:
    return NameList(
        [
            NameEntry("ML-MOP-ORG-2026-00001", ("Awa", "Traoré")),
            NameEntry("ML-MOP-ORG-2026-00002", ("Moussa", "Diallo"), hidden=True),
            NameEntry("ML-MOP-ORG-2026-00003", ("Awa", "Koné")),
        ]
    )


def test_name_list_lookup_and_masking() -> None:
    names = _names()
    assert len(names) == 3
    assert names.names_of("ML-MOP-ORG-2026-00001") == ("Awa", "Traoré")
    assert names.names_of("ML-MOP-ORG-2026-00002") == ()
    assert names.names_of("ML-MOP-ORG-2026-00002", include_hidden=True) == ("Moussa", "Diallo")
    assert names.codes_for("awa") == ("ML-MOP-ORG-2026-00001", "ML-MOP-ORG-2026-00003")
    assert names.codes_for("traore awa") == ("ML-MOP-ORG-2026-00001",)
    assert names.codes_for("Moussa") == ()  # masked names are not searchable
    assert next(iter(names)) == "ML-MOP-ORG-2026-00001"


def test_name_list_never_prints_names_and_is_not_serialisable_by_accident() -> None:
    names = _names()
    for text in (repr(names), str(names), repr(NameEntry("X-1", ("Awa",)))):
        assert "Awa" not in text
    with pytest.raises(TypeError):
        json.dumps(names)
    with pytest.raises(TypeError):
        pickle.dumps(names)


def test_name_list_round_trip() -> None:
    names = _names()
    again = NameList.loads(names.dumps())
    assert list(again) == list(names)
    assert again.names_of("ML-MOP-ORG-2026-00002", include_hidden=True) == ("Moussa", "Diallo")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "cpcase-name-list/v1", "entries": [{"names": ["A"]}]}),
        json.dumps({"format": "cpcase-name-list/v1", "entries": [{"case_code": "X", "names": 3}]}),
    ],
)
def test_name_list_bad_input(text: str) -> None:
    with pytest.raises(PseudonymError):
        NameList.loads(text)


def test_duplicate_code_refused_without_names_in_message() -> None:
    with pytest.raises(PseudonymError) as info:
        NameList([NameEntry("X-1", ("Awa",)), NameEntry("X-1", ("Fanta",))])
    assert "Awa" not in str(info.value)
    assert "Fanta" not in str(info.value)
