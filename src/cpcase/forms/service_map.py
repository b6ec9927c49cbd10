"""Service-provider record of the regional service map (SOP §3.4.1 L396–L517, template L473)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import ValidationInfo, field_validator, model_validator

from cpcase.forms._base import FormBase, ShortText, Text, check_not_future, rule_violation
from cpcase.forms.referral import Phone
from cpcase.labels import field
from cpcase.vocab.core import FormClass, Sex, Step
from cpcase.vocab.services import (
    CmInterventionLevel,
    FamilyAlternativeSetting,
    InterventionDuration,
    ServiceCategory,
    ServiceSector,
    StructureType,
)

__all__ = ["ServiceProviderRecord"]

_SOP = "Mali SOP 2020"
_TPL = f"{_SOP} §3.4.1 template L479"


class ServiceProviderRecord(FormBase):
    """Service-provider record (*Modèle de liste de prestataires de services pertinents*).

    One row of the regional service map: every column of the SOP template (§3.4.1 L473–L517:
    location, name, sector, services offered, structure type, focal point, coverage, duration,
    remarks on cost/hours/eligibility/emergency number/admission, targets, hours), the
    family-alternative details of item 11 (setting, profile of children, length of stay,
    L464), plus the fields cpcase needs [INFERRED, requirements §7.3]: ``last_verified_date``
    (map updated at least every 6 months, 3 in emergency zones, L466), ``has_trained_cm_team``
    (transfer precondition, L564) and ``cm_intervention_level`` (L408).

    This record belongs to the service map, not to a case: ``case_code`` must be empty and
    ``form_date`` is the date the record was written. Class **any step** (it is consulted at
    every referral and transfer; it is not one of the SOP's file tools). Rules: a limited
    duration gives its period; the age range is ordered; a family-alternative setting only for
    family-alternative providers.
    """

    form_code: ClassVar[str] = "SP"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.ANY_STEP
    name_fr: ClassVar[str] = "Fiche prestataire (cartographie des services)"
    name_en: ClassVar[str] = "Service provider record (service map)"

    # A map record belongs to no case: narrowing the inherited field to None is deliberate.
    case_code: Annotated[
        None,
        field(
            "Code du dossier (sans objet)",
            "Case code (not applicable)",
            "Always empty: a service-map record belongs to no case.",
            source="requirements §7.3 [INFERRED]",
        ),
    ] = None  # type: ignore[assignment]
    provider_id: Annotated[
        ShortText,
        field(
            "Identifiant du prestataire",
            "Provider identifier",
            "Stable identifier of the provider in the map; referrals and transfers cite it.",
            source="requirements §7.3 [INFERRED]",
        ),
    ]
    location: Annotated[
        ShortText,
        field(
            "Lieu",
            "Location",
            "Region / cercle / commune covered by the list (page header 'Lieu').",
            source=f"{_SOP} §3.4.1 template L475",
        ),
    ]
    provider_name: Annotated[
        ShortText,
        field(
            "Nom de l'acteur ou de l'organisation",
            "Name of the actor or organisation",
            "Name of the organisation or service.",
            source=_TPL,
            cpims="service_implementing_agency_external",
        ),
    ]
    sector: Annotated[
        ServiceSector,
        field(
            "Secteur",
            "Sector",
            "Sector grouping row of the template.",
            source=f"{_SOP} §3.4.1 template L480–L512",
        ),
    ]
    services_offered: Annotated[
        Text,
        field(
            "Services offerts",
            "Services offered",
            "Services offered, as written in the map.",
            source=_TPL,
        ),
    ]
    service_categories: Annotated[
        tuple[ServiceCategory, ...],
        field(
            "Catégories de services",
            "Service categories",
            "Which of the 11 service-map categories the services fall under.",
            source=f"{_SOP} §3.4.1 items 1–11",
        ),
    ] = ()
    structure_type: Annotated[
        StructureType,
        field(
            "Type de structure",
            "Structure type",
            "Public service, CSO, CBO or UN agency.",
            source=_TPL,
        ),
    ]
    focal_point_name: Annotated[
        ShortText | None,
        field(
            "Nom du point focal",
            "Focal point name",
            "Professional contact (e.g. 'point focal en charge des mineurs').",
            source=_TPL,
        ),
    ] = None
    focal_point_phone: Annotated[
        Phone | None,
        field(
            "Coordonnées du point focal (téléphone)",
            "Focal point phone",
            "Phone number of the focal point.",
            source=_TPL,
        ),
    ] = None
    focal_point_address: Annotated[
        ShortText | None,
        field(
            "Adresse du point focal",
            "Focal point address",
            "Address of the focal point.",
            source=_TPL,
        ),
    ] = None
    coverage: Annotated[
        ShortText | None,
        field(
            "Couverture géographique",
            "Geographical coverage",
            "Area covered (e.g. rural communes).",
            source=_TPL,
        ),
    ] = None
    duration: Annotated[
        InterventionDuration | None,
        field(
            "Durée d'intervention",
            "Duration of intervention",
            "Continuous, unlimited or limited.",
            source=_TPL,
        ),
    ] = None
    duration_period: Annotated[
        ShortText | None,
        field(
            "Période (si limitée)",
            "Period (if limited)",
            "Period of a limited intervention, e.g. '2018-2021'.",
            source=f"{_SOP} §3.4.1 template L511",
        ),
    ] = None
    cost: Annotated[
        ShortText | None,
        field(
            "Coûts",
            "Cost",
            "Cost or free of charge ('gratuité', '100 Fcfa (timbre)'...).",
            source=_TPL,
        ),
    ] = None
    opening_hours: Annotated[
        ShortText | None,
        field(
            "Heures d'ouverture",
            "Opening hours",
            "Opening hours given in the remarks column.",
            source=_TPL,
        ),
    ] = None
    eligibility_criteria: Annotated[
        Text | None,
        field(
            "Critères d'éligibilité",
            "Eligibility criteria",
            "Access conditions (schooling level, fees, guarantor...).",
            source=f"{_TPL}; §3.4.1 item 7 L446",
        ),
    ] = None
    emergency_phone: Annotated[
        Phone | None,
        field(
            "Permanence pour les urgences (tél)",
            "Emergency line (phone)",
            "Emergency number.",
            source=f"{_SOP} §3.4.1 template L517",
        ),
    ] = None
    admission_hours: Annotated[
        ShortText | None,
        field(
            "Heure d'admission",
            "Admission hours",
            "When children can be admitted.",
            source=_TPL,
        ),
    ] = None
    target: Annotated[
        Text | None,
        field(
            "Cible(s)",
            "Target group(s)",
            "Children accepted, e.g. 'Enfants de 08 à 18 ans'.",
            source=f"{_SOP} §3.4.1 template L517",
        ),
    ] = None
    target_age_min: Annotated[
        int | None,
        field(
            "Âge minimum accepté",
            "Minimum age accepted",
            "Youngest age accepted, in years.",
            source=f"{_SOP} §3.4.1 L464 (critères d'âge)",
            ge=0,
            le=25,
        ),
    ] = None
    target_age_max: Annotated[
        int | None,
        field(
            "Âge maximum accepté",
            "Maximum age accepted",
            "Oldest age accepted, in years.",
            source=f"{_SOP} §3.4.1 L464 (critères d'âge)",
            ge=0,
            le=25,
        ),
    ] = None
    target_sex: Annotated[
        tuple[Sex, ...],
        field(
            "Sexe des enfants acceptés",
            "Sex of children accepted",
            "Empty means all.",
            source=f"{_SOP} §3.4.1 L464 (critères de sexe)",
        ),
    ] = ()
    hours: Annotated[
        ShortText | None,
        field(
            "Horaires",
            "Hours",
            "Working hours column (e.g. 'administration publique').",
            source=f"{_SOP} §3.4.1 template L502",
        ),
    ] = None
    family_alternative_setting: Annotated[
        FamilyAlternativeSetting | None,
        field(
            "Type de milieu",
            "Setting",
            "Open, closed or semi-closed setting (family alternatives only).",
            source=f"{_SOP} §3.4.1 item 11 L464",
        ),
    ] = None
    length_of_stay: Annotated[
        ShortText | None,
        field(
            "Durée d'accueil",
            "Length of stay",
            "How long children can stay (family alternatives).",
            source=f"{_SOP} §3.4.1 item 11 L464",
        ),
    ] = None
    last_verified_date: Annotated[
        dt.date,
        field(
            "Date de dernière vérification",
            "Last verified date",
            "When the entry was last checked (update every 6 months, 3 in emergency zones).",
            source=f"{_SOP} §3.4.1 L466",
        ),
    ]
    emergency_zone: Annotated[
        bool,
        field(
            "Zone affectée par l'urgence",
            "Emergency-affected zone",
            "Whether the 3-month update rule applies.",
            source=f"{_SOP} §3.4.1 L466",
        ),
    ] = False
    map_version: Annotated[
        ShortText | None,
        field(
            "Version de la cartographie",
            "Map version",
            "Version or edition of the service map.",
            source="requirements §7.3 [INFERRED]",
        ),
    ] = None
    has_trained_cm_team: Annotated[
        bool,
        field(
            "Équipe de gestion de cas formée",
            "Trained case-management team",
            "Whether files can be transferred to this organisation.",
            source=f"{_SOP} §3.4.2 L564",
        ),
    ]
    cm_intervention_level: Annotated[
        CmInterventionLevel | None,
        field(
            "Niveau d'intervention en gestion de cas",
            "Case-management intervention level",
            "Identification only, emergency care only, or support to reinsertion.",
            source=f"{_SOP} §3.4.1 L408",
        ),
    ] = None

    @field_validator("last_verified_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.duration is InterventionDuration.LIMITED and self.duration_period is None:
            problems.append(("duration_period", "a limited intervention gives its period"))
        if (
            self.target_age_min is not None
            and self.target_age_max is not None
            and self.target_age_min > self.target_age_max
        ):
            problems.append(("target_age_max", "below the minimum age"))
        if self.family_alternative_setting is not None and not (
            self.sector is ServiceSector.FAMILY_ALTERNATIVES
            or ServiceCategory.FAMILY_ALTERNATIVES in self.service_categories
        ):
            problems.append(
                ("family_alternative_setting", "only for family-alternative providers")
            )
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
