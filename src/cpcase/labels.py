"""Bilingual labels: the French/English label machinery shared by vocabularies and form fields.

French is the language of the seeds and of the field; English is the working language of the
code. Every vocabulary value and every form field carries both, plus the seed citation it comes from.
"""

from __future__ import annotations

from enum import StrEnum
from operator import attrgetter
from typing import Any, Literal, Self

from pydantic import Field

__all__ = ["LabelledEnum", "Lang", "field", "field_label"]

Lang = Literal["fr", "en"]


class LabelledEnum(StrEnum):
    """A vocabulary: stable ASCII snake_case codes with French and English labels.

    Members are declared as ``NAME = (code, label_fr, label_en, source, cpims)`` where ``source``
    cites the seed (document, section, line) and ``cpims`` is the CPIMS+ option id of the
    equivalent lookup value, or ``None`` where CPIMS+ has no equivalent. The member's value is the
    code, which never changes once released (it reaches Excel files, JSON and archives).
    """

    label_fr: str
    label_en: str
    source: str
    cpims: str | None

    def __new__(
        cls, code: str, label_fr: str, label_en: str, source: str = "", cpims: str | None = None
    ) -> Self:
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label_fr = label_fr
        obj.label_en = label_en
        obj.source = source
        obj.cpims = cpims
        return obj

    def label(self, lang: Lang = "fr") -> str:
        """The label in ``lang`` ("fr" or "en")."""
        return self.label_fr if lang == "fr" else self.label_en

    @classmethod
    def from_cpims(cls, option_id: str) -> Self:
        """The member whose CPIMS+ option id is ``option_id`` (first match)."""
        for member in cls:
            if member.cpims == option_id:
                return member
        raise ValueError(f"{cls.__name__}: no value maps to CPIMS+ option {option_id!r}")


# ``Enum.value`` is a Python-level descriptor (about 0.2 µs a read), and pydantic reads it for
# every enum value it serialises: the same attribute through C-level getters costs a third.
# Set after the class is made, where the enum machinery does not take it for a member.
setattr(LabelledEnum, "value", property(attrgetter("_value_"), doc="The member's code."))  # noqa: B010


def field(
    label_fr: str,
    label_en: str,
    description: str = "",
    *,
    source: str = "",
    cpims: str | None = None,
    **kwargs: Any,
) -> Any:
    """A pydantic ``Field`` carrying French and English labels, a citation and the CPIMS+ name.

    Use inside ``Annotated`` so that type checkers still see required/optional correctly::

        date_of_birth: Annotated[date | None, field("Date de naissance", "Date of birth")] = None
    """
    extra: dict[str, Any] = {"label_fr": label_fr, "label_en": label_en}
    if source:
        extra["source"] = source
    if cpims:
        extra["cpims"] = cpims
    return Field(
        title=label_en, description=description or None, json_schema_extra=extra, **kwargs
    )


def field_label(model: type[Any], name: str, lang: Lang = "fr") -> str:
    """The ``lang`` label of field ``name`` of pydantic model ``model`` (the name if unlabelled)."""
    info = model.model_fields.get(name)
    if info is None:
        return name
    extra = info.json_schema_extra
    if isinstance(extra, dict):
        value = extra.get(f"label_{lang}")
        if isinstance(value, str):
            return value
    return name
