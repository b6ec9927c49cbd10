"""Field paths of the form catalogue, for validating policy references and filtering views.

A path is ``FORM:field`` or ``FORM:row_field.sub_field`` for repeated rows (any depth). The
pseudo-form ``CASE`` is the case file's own header (status, caseworker, risk history...).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Iterator, Mapping

from pydantic import BaseModel

from cpcase.case import CaseFile
from cpcase.forms import CATALOGUE

__all__ = ["CASE", "HEADER_ALWAYS", "field_index", "top_level_fields"]

#: Pseudo form code for the case file's header.
CASE = "CASE"
#: Kept in every shared form: the anonymised code and the form's date.
HEADER_ALWAYS = frozenset({"case_code", "form_date"})


def _row_models(annotation: object) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        if inspect.isclass(arg) and issubclass(arg, BaseModel):
            out.append(arg)
        else:
            out.extend(_row_models(arg))
    return out


def _paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        for row in _row_models(info.annotation):
            yield from _paths(row, f"{path}.")


@functools.cache
def field_index() -> Mapping[str, frozenset[str]]:
    """Form code → every valid field path in it (``CASE`` included)."""
    index = {code: frozenset(_paths(entry.model)) for code, entry in CATALOGUE.items()}
    forms = set(CaseFile.FORM_ATTRIBUTES.values())
    header = {n: i for n, i in CaseFile.model_fields.items() if n not in forms}
    paths: set[str] = set()
    for name, info in header.items():
        paths.add(name)
        for row in _row_models(info.annotation):
            paths.update(_paths(row, f"{name}."))
    index[CASE] = frozenset(paths)
    return index


@functools.cache
def top_level_fields(code: str) -> frozenset[str]:
    """Top-level field names of form ``code`` (or of the ``CASE`` header)."""
    return frozenset(p for p in field_index().get(code, frozenset()) if "." not in p)
