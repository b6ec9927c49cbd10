"""Step 4 form 4.A: services provided to the child (SOP §5.4; CPIMS+ ``services_section``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import ValidationInfo, field_validator, model_validator

from cpcase.forms._base import (
    FormBase,
    FormRow,
    ShortText,
    Text,
    check_not_future,
    rule_violation,
)
from cpcase.forms.case_plan import RowId, duplicate_ids
from cpcase.labels import field
from cpcase.vocab.core import FormClass, Step
from cpcase.vocab.services import ServiceCategory, ServiceDeliveryMode

__all__ = ["ServiceRecord", "ServicesProvided"]

_SOP = "Mali SOP 2020"
_IA = "CPIMS+ interagency services_section"


class ServiceRecord(FormRow):
    """One service requested for or delivered to the child (a CPIMS+ ``services_section`` row)."""

    row_id: RowId
    service_type: Annotated[
        ServiceCategory,
        field(
            "Type de service",
            "Type of service",
            "Service category of the regional service map.",
            source=f"{_SOP} §3.4.1; requirements §4.7",
            cpims="service_type",
        ),
    ]
    service_referral: Annotated[
        ServiceDeliveryMode,
        field(
            "Mode de prestation",
            "Delivery mode",
            "Direct service, internal referral or external referral.",
            source=f"{_SOP} §5.4 L1072",
            cpims="service_referral",
        ),
    ]
    plan_activity_ref: Annotated[
        ShortText | None,
        field(
            "Activité du plan",
            "Plan activity",
            "``row_id`` of the 3.A plan activity this service implements.",
            source=f"{_SOP} §5.4 L1070",
        ),
    ] = None
    service_referral_notes: Annotated[
        Text | None,
        field(
            "Motif de la demande",
            "Reason for the service",
            "Why the service is requested (only what the provider needs to know).",
            source=f"{_SOP} §3.4.2.3 L599",
            cpims="service_referral_notes",
        ),
    ] = None
    service_expected_outcome: Annotated[
        Text | None,
        field(
            "Résultat attendu",
            "Expected outcome",
            "What the child and caseworker hope the service achieves.",
            source=_IA,
            cpims="service_expected_outcome",
        ),
    ] = None
    service_provider: Annotated[
        ShortText | None,
        field(
            "Prestataire",
            "Service provider",
            "Provider organisation (service-map provider_id or name).",
            source=f"{_SOP} §3.4.1 template L479",
            cpims="service_provider",
        ),
    ] = None
    service_location: Annotated[
        ShortText | None,
        field(
            "Lieu de prestation",
            "Service location",
            "Where the service is delivered.",
            source=_IA,
            cpims="service_location",
        ),
    ] = None
    service_response_day_time: Annotated[
        dt.date,
        field(
            "Date de la demande",
            "Date requested",
            "Date the service was requested or planned.",
            source="requirements §4.7 [INFERRED]",
            cpims="service_response_day_time",
        ),
    ]
    service_appointment_date: Annotated[
        dt.date | None,
        field(
            "Date du rendez-vous",
            "Appointment date",
            "Appointment with the provider (may be in the future).",
            source=_IA,
            cpims="service_appointment_date",
        ),
    ] = None
    referral_ref: Annotated[
        ShortText | None,
        field(
            "Fiche de référence (A.1)",
            "Referral form (A.1)",
            "``entry_id`` of the A.1 referral used to obtain the service.",
            source=f"{_SOP} §5.4 L1072",
        ),
    ] = None
    service_implemented: Annotated[
        bool,
        field(
            "Service rendu",
            "Service delivered",
            "Whether the child actually received the service.",
            source=f"{_SOP} §3.4.2.3 L598",
            cpims="service_implemented",
        ),
    ] = False
    service_implemented_day_time: Annotated[
        dt.date | None,
        field(
            "Date de prestation",
            "Date delivered",
            "Date the service was delivered; required once delivered.",
            source=_IA,
            cpims="service_implemented_day_time",
        ),
    ] = None
    counter_referral_received: Annotated[
        bool | None,
        field(
            "Contre-référence reçue",
            "Counter-referral received",
            "The provider's counter-referral confirming the service was filed.",
            source=f"{_SOP} §3.4.2 L558",
        ),
    ] = None
    details_service_provided: Annotated[
        Text | None,
        field(
            "Détails du service rendu",
            "Details of the service provided",
            "What was provided and any comment on it.",
            source=_IA,
            cpims="details_service_provided",
        ),
    ] = None
    suggestions_improvement: Annotated[
        Text | None,
        field(
            "Appréciation de l'enfant",
            "Child's feedback on the service",
            "The child's view of the service and suggestions for improvement.",
            source=f"{_SOP} §5.1 L844",
            cpims="suggestions_improvement",
        ),
    ] = None

    @field_validator("service_response_day_time", "service_implemented_day_time")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.service_implemented and self.service_implemented_day_time is None:
            problems.append(("service_implemented_day_time", "required once delivered"))
        if self.service_implemented_day_time is not None:
            if not self.service_implemented:
                problems.append(
                    ("service_implemented", "a delivery date is given but not marked delivered")
                )
            if self.service_implemented_day_time < self.service_response_day_time:
                problems.append(("service_implemented_day_time", "before the request date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class ServicesProvided(FormBase):
    """4.A Services provided to the child (*Formulaire des services offerts à l'enfant*; SOP §5.4).

    The seed names the form and the indicator "type de services offerts" (L368) but gives no
    fields; the caseworker organises referrals to the plan's services (L1072). Rows model
    what a caseworker fills in the CPIMS+ interagency ``services_section`` subform
    (``service_type``, ``service_referral``, ``service_implemented``...), with the service
    type taken from the SOP's 11 service-map categories. Rules: at least one service; unique
    row ids; a delivered service has a delivery date not before the request date.
    """

    form_code: ClassVar[str] = "4.A"
    step: ClassVar[Step] = Step.IMPLEMENTATION
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire des services offerts à l'enfant"
    name_en: ClassVar[str] = "Services provided to the child"

    services_section: Annotated[
        tuple[ServiceRecord, ...],
        field(
            "Services",
            "Services",
            "Services requested for or delivered to the child.",
            source=f"{_SOP} §5.4 L1068–L1072",
            cpims="services_section",
            min_length=1,
        ),
    ]

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        dups = duplicate_ids([s.row_id for s in self.services_section])
        if dups:
            raise rule_violation(
                type(self).__name__,
                [("services_section", f"duplicate row_id {d!r}") for d in dups],
            )
        return self
