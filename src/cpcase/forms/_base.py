"""Base class and shared field types for every harmonised form.

Every form is a frozen pydantic model that rejects unknown fields (nothing is silently dropped)
and hides input values from error messages (they may be children's names). Each form class
declares its catalogue metadata as class variables: ``form_code``, ``step``, ``form_class``,
``name_fr`` and ``name_en``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, ValidationInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from cpcase.errors import FormError
from cpcase.labels import Lang, field, field_label
from cpcase.vocab.core import FormClass, Step

__all__ = [
    "CaseCodeStr",
    "FormBase",
    "FormRow",
    "ShortText",
    "Text",
    "check_not_future",
    "form_error_from",
    "rule_violation",
]

# Free text: stripped, bounded so a pasted document cannot bloat a record.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CaseCodeStr = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9-]*$"
    ),
]

_MODEL_CONFIG = ConfigDict(
    frozen=True,
    extra="forbid",
    hide_input_in_errors=True,
    str_strip_whitespace=True,
    validate_default=False,
)


def _today(info: ValidationInfo) -> dt.date:
    """The reference date for "not in the future" checks: ``context["today"]`` if given."""
    ctx = info.context
    if isinstance(ctx, dict):
        today = ctx.get("today")
        if today.__class__ is dt.date:  # the usual case, checked first: runs per date field
            return today
        if isinstance(today, dt.datetime):
            return today.date()
        if isinstance(today, dt.date):
            return today
    # Forms, unlike rule functions, may be validated without a reference date: data entry is
    # happening now. Pass context={"today": ...} for reproducible validation.
    return dt.date.today()  # noqa: DTZ011 - local calendar date is what a caseworker means


def check_not_future(value: Any, info: ValidationInfo) -> Any:
    """Reject a date/datetime after the reference date (dates that cannot be in the future)."""
    if value is None:
        return value
    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and day > _today(info):
        raise ValueError("date cannot be in the future")
    return value


class FormRow(BaseModel):
    """Base of a repeated row inside a form (plan activity, service, follow-up entry...).

    Same configuration as :class:`FormBase`: frozen, unknown fields rejected, inputs hidden.
    """

    model_config = _MODEL_CONFIG


def rule_violation(title: str, problems: list[tuple[str, str]]) -> ValidationError:
    """A pydantic ``ValidationError`` locating each SOP-rule problem at its field.

    ``problems`` holds ``(field_name, message)`` pairs. Raise the result from a
    ``model_validator(mode="after")`` so that the error names the field (``loc``) rather than
    the whole form; nested rows get their full path (``activities.0.deadline``).
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("sop_rule", message), loc=(name,), input=None
            )
            for name, message in problems
        ],
    )


class FormBase(BaseModel):
    """Common header of every harmonised form (requirements §4.0, INFERRED common header).

    ``case_code`` is the anonymised case code, never a name (SOP §6.1.2 L1142).
    """

    model_config = _MODEL_CONFIG

    form_code: ClassVar[str]
    step: ClassVar[Step]
    form_class: ClassVar[FormClass]
    name_fr: ClassVar[str]
    name_en: ClassVar[str]

    case_code: Annotated[
        CaseCodeStr,
        field(
            "Code du dossier (anonymisé)",
            "Case code (anonymised)",
            "Anonymised case identifier used on every document (no name-derived part).",
            source="Mali SOP 2020 §6.1.2 L1142",
            cpims="cpims_id",
        ),
    ]
    form_date: Annotated[
        dt.date,
        field(
            "Date du formulaire",
            "Form date",
            "Date the form was filled; anchors every deadline computation.",
            source="requirements §4.0 common header [INFERRED]",
        ),
    ]
    caseworker_id: Annotated[
        ShortText | None,
        field(
            "Gestionnaire de cas (identifiant)",
            "Caseworker (identifier)",
            "Identifier of the caseworker responsible for the file (one per file).",
            source="Mali SOP 2020 §5.1 L876",
        ),
    ] = None
    organisation_id: Annotated[
        ShortText | None,
        field(
            "Organisation (identifiant)",
            "Organisation (identifier)",
            "Organisation holding the file; statistics are per organisation.",
            source="Mali SOP 2020 §6.3 L1195",
            cpims="owned_by_agency_id",
        ),
    ] = None
    entry_id: Annotated[
        ShortText | None,
        field(
            "Identifiant de l'entrée",
            "Entry identifier",
            "Stable identifier of this form instance within the case (for repeated forms); "
            "used to derive deterministic CPIMS+ subform ids.",
        ),
    ] = None

    @classmethod
    def parse(
        cls, data: dict[str, Any], *, today: dt.date | None = None, lang: Lang = "en"
    ) -> Self:
        """Validate ``data`` into this form, raising :class:`FormError` with labelled problems."""
        try:
            return cls.model_validate(data, context={"today": today} if today else None)
        except ValidationError as exc:
            raise form_error_from(exc, cls, lang=lang) from None

    @classmethod
    def label(cls, name: str, lang: Lang = "fr") -> str:
        """Label of field ``name`` in ``lang``."""
        return field_label(cls, name, lang)


def _deepest_field(
    model: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[type[BaseModel], str]:
    """The model and field name that an error location points at, through nested rows.

    ``activities.0.deadline`` on a plan resolves to ``PlanActivity.deadline`` so that the label
    shown is the row field's own, not the table's.
    """
    owner, name = model, ""
    for part in loc:
        if isinstance(part, int):
            continue
        info = owner.model_fields.get(str(part))
        if info is None:
            break
        name = str(part)
        nested = [
            a
            for a in _flatten_args(info.annotation)
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if nested and part != loc[-1]:
            owner, name = nested[0], ""
    if not name and loc and isinstance(loc[0], str) and loc[0] in model.model_fields:
        return model, loc[0]
    return owner, name


def _flatten_args(tp: Any) -> list[Any]:
    args = getattr(tp, "__args__", None)
    if not args:
        return [tp]
    return [a for arg in args for a in _flatten_args(arg)]


def form_error_from(
    exc: ValidationError, model: type[BaseModel], *, lang: Lang = "en"
) -> FormError:
    """Turn a pydantic error into a :class:`FormError` naming fields and labels, never values."""
    problems: list[tuple[str, str, str, str]] = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = err["loc"]
        path = ".".join(str(p) for p in loc) or "(form)"
        owner, name = _deepest_field(model, loc)
        fr = field_label(owner, name, "fr") if name else ""
        en = field_label(owner, name, "en") if name else ""
        problems.append((path, fr, en, err["msg"]))
    code = getattr(model, "form_code", model.__name__)
    lines = [f"{path} ({fr if lang == 'fr' else en}): {msg}" for path, fr, en, msg in problems]
    summary = f"form {code}: {len(problems)} problem(s): " + "; ".join(lines)
    return FormError(summary, tuple(problems))
