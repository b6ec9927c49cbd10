"""The harmonised form catalogue is complete, labelled, strict and round-trips."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from cpcase.errors import FormError
from cpcase.forms import CATALOGUE, FormBase, get_form
from cpcase.testing import form_strategies
from cpcase.vocab import FormClass, Step

REQUIRED_CODES = [
    "1.A", "1.B", "1.C", "1.D", "1.E", "2.A", "3.A", "3.B", "4.A", "4.B", "4.C", "4.D", "4.E",
    "5.A", "5.B", "5.C", "6.A", "6.B", "6.C", "A.1", "A.2", "A.3", "B.1",
    "COVER", "CHECKLIST", "SP", "BIA", "BID",
]  # fmt: skip


def test_catalogue_holds_every_required_code_with_both_names() -> None:
    """Every SOP §6.1.2 form plus the file tools, service map and BIA/BID are present."""
    assert sorted(CATALOGUE) == sorted(REQUIRED_CODES)
    for code, entry in CATALOGUE.items():
        assert entry.name_fr.strip(), code
        assert entry.name_en.strip(), code
        assert entry.model.form_code == code
        assert isinstance(entry.step, Step)
        assert isinstance(entry.form_class, FormClass)


@pytest.mark.parametrize(
    ("code", "step", "form_class"),
    [
        ("1.B", 1, FormClass.MAIN),
        ("2.A", 2, FormClass.MAIN),
        ("3.A", 3, FormClass.MAIN),
        ("4.A", 4, FormClass.MAIN),
        ("4.E", 4, FormClass.COMPLEMENTARY),
        ("5.B", 5, FormClass.MAIN),
        ("6.A", 6, FormClass.MAIN),
        ("A.1", None, FormClass.ANY_STEP),
        ("B.1", None, FormClass.ANY_STEP),
        ("COVER", None, FormClass.FILE_TOOL),
    ],
)
def test_steps_and_classes_follow_the_sop(
    code: str, step: int | None, form_class: FormClass
) -> None:
    """Steps and classes as in the SOP catalogue table (requirements §4.0)."""
    assert CATALOGUE[code].step.number == step
    assert CATALOGUE[code].form_class is form_class


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    """The model and every nested row model reachable from its fields."""
    if model in seen:
        return []
    seen.add(model)
    out = [model]
    for info in model.model_fields.values():
        for arg in _type_args(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out.extend(_models(arg, seen))
    return out


def _type_args(tp: Any) -> list[Any]:
    args = getattr(tp, "__args__", None)
    if not args:
        return [tp]
    return [a for arg in args for a in _type_args(arg)]


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_field_has_french_and_english_labels(code: str) -> None:
    """Every field of the form and of its nested rows has both labels."""
    for model in _models(get_form(code), set()):
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            assert isinstance(extra, dict), f"{model.__name__}.{name} has no labels"
            assert str(extra.get("label_fr", "")).strip(), f"{model.__name__}.{name} label_fr"
            assert str(extra.get("label_en", "")).strip(), f"{model.__name__}.{name} label_en"


def test_get_form_is_case_insensitive_and_strict() -> None:
    """Codes are found whatever their case; unknown codes raise KeyError."""
    assert get_form("3.a") is CATALOGUE["3.A"].model
    assert get_form(" cover ") is CATALOGUE["COVER"].model
    with pytest.raises(KeyError):
        get_form("9.Z")


@given(data=st.data(), code=st.sampled_from(REQUIRED_CODES))
def test_json_round_trip_is_identity(data: st.DataObject, code: str) -> None:
    """model_validate_json(model_dump_json(form)) == form for every form."""
    form: FormBase = data.draw(form_strategies()[code])
    model = type(form)
    assert model.model_validate_json(form.model_dump_json()) == form
    assert model.model_validate(json.loads(form.model_dump_json())) == form


@given(data=st.data(), code=st.sampled_from(REQUIRED_CODES))
def test_unknown_field_is_rejected_by_name(data: st.DataObject, code: str) -> None:
    """An unknown field is an error naming it, never silently dropped."""
    form: FormBase = data.draw(form_strategies()[code])
    payload = json.loads(form.model_dump_json()) | {"nom_de_lenfant_en_clair": "x"}
    with pytest.raises(FormError) as info:
        type(form).parse(payload)
    assert "nom_de_lenfant_en_clair" in str(info.value)


# The service-map record (SP) belongs to no case: its case_code is always empty.
CASE_CODES_REQUIRED = [
    c for c in REQUIRED_CODES if get_form(c).model_fields["case_code"].is_required()
]


@given(data=st.data(), code=st.sampled_from(CASE_CODES_REQUIRED))
def test_missing_case_code_names_field_and_label(data: st.DataObject, code: str) -> None:
    """A missing required header field is reported with its path and both labels."""
    form: FormBase = data.draw(form_strategies()[code])
    payload = json.loads(form.model_dump_json())
    del payload["case_code"]
    with pytest.raises(FormError) as info:
        type(form).parse(payload, lang="fr")
    paths = [p[0] for p in info.value.problems]
    assert "case_code" in paths
    problem = info.value.problems[paths.index("case_code")]
    assert problem[1] == "Code du dossier (anonymisé)"
    assert problem[2] == "Case code (anonymised)"
    assert "Code du dossier (anonymisé)" in str(info.value)


def test_errors_never_echo_input_values() -> None:
    """A child's name given in a wrong-typed field does not appear in the error."""
    secret = "Aminata Secret-Name"
    with pytest.raises(FormError) as info:
        get_form("1.B").parse({"case_code": "ML-MOP-ORG-2026-00001", "form_date": secret})
    assert secret not in str(info.value)
    assert all(secret not in " ".join(p) for p in info.value.problems)
