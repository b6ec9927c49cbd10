"""Form 1.A — consent to information sharing (*Accord au partage de l'information*).

The informed agreement of the child and/or parents or guardians (SOP §2 L291) is needed for
any sharing with third parties (L900, L920), before a referral (written form or recorded verbal
consent, L594), in a medical emergency (victim and family if present, L819) and to involve
family members in interviews (L960). Consent has a scope, recipients, a duration and may be
single-use or withdrawn (CM course L1010); acting without it needs a recorded legal basis and a
supervisor's sign-off (CM course L226).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Self

from pydantic import Field, field_validator, model_validator

from cpcase.forms._base import FormBase, FormRow, ShortText, Text, check_not_future, rule_violation
from cpcase.labels import field
from cpcase.vocab import (
    ConsentGiverRelationship,
    ConsentMode,
    ConsentRecipient,
    ConsentScope,
    FormClass,
    LegitimateBasis,
    Step,
)

__all__ = ["ConsentForm", "ConsentGiver"]

_SOP = "Mali SOP 2020"
_CMG = "CM Guidelines 101 course"
_CHILD = ConsentGiverRelationship.CHILD


class ConsentGiver(FormRow):
    """One person who gave (or refused) consent or assent, by relationship to the child."""

    relationship: Annotated[
        ConsentGiverRelationship,
        field(
            "Lien avec l'enfant",
            "Relationship to the child",
            "The child, a parent, the legal representative or another caregiver.",
            source=f"{_SOP} §2 L291; §3.4.2.3 L594",
            cpims="interview_subject",
        ),
    ]
    name: Annotated[
        ShortText | None,
        field(
            "Nom de la personne",
            "Name of the person",
            "Name of an adult giving consent (personal data; not needed for the child).",
            source="requirements §4.1 [INFERRED]",
            cpims="consent_source_other",
        ),
    ] = None
    assent_only: Annotated[
        bool,
        field(
            "Accord (assentiment) et non consentement",
            "Assent rather than consent",
            "The child is too young to consent but old enough to agree (informed assent).",
            source=f"{_CMG} L224",
        ),
    ] = False
    agreed: Annotated[
        bool,
        field(
            "A donné son accord",
            "Agreed",
            "False records a refusal by this person.",
            source=f"{_CMG} L226",
        ),
    ] = True
    signed: Annotated[
        bool,
        field(
            "A signé la fiche",
            "Signed the form",
            source="requirements §4.1 [INFERRED] (signatures)",
        ),
    ] = False


class ConsentForm(FormBase):
    """1.A Consent to information sharing (*Accord au partage de l'information*), SOP §6.1.2 L1149.

    Seed-mentioned fields: who agreed (child and/or parents/legal representative, L291, L594),
    whether the family was present (L819), mode (signed form or recorded verbal consent, L594),
    scope (third-party sharing L900, referral L594, transfer L291, involving the family L960),
    whether information on the services was given first (L594). Recipients, duration,
    single use, withdrawal and the legal basis come from the CM course (L222–L226, L1010) and
    CPIMS+ ``consent`` (``consent_for_services``, ``disclosure_other_orgs``,
    ``consent_info_sharing``, ``legitimate_basis``).

    Rules: a date and a mode are required, with at least one giver and their relationship;
    consent is informed only if the services were explained; a legal basis other than consent
    needs a justification and a supervisor's sign-off; duration and withdrawal follow the date.
    """

    form_code: ClassVar[str] = "1.A"
    step: ClassVar[Step] = Step.IDENTIFICATION
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Accord au partage de l'information"
    name_en: ClassVar[str] = "Consent to information sharing"

    consent_date: Annotated[
        dt.date,
        field(
            "Date de l'accord",
            "Consent date",
            "Day the agreement (or refusal) was recorded.",
            source="requirements §4.1 [INFERRED]",
        ),
    ]
    consent_mode: Annotated[
        ConsentMode,
        field(
            "Mode de recueil",
            "Consent mode",
            "Signed consent form, or verbal consent recorded.",
            source=f"{_SOP} §3.4.2.3 L594",
        ),
    ]
    givers: Annotated[
        tuple[ConsentGiver, ...],
        Field(min_length=1),
        field(
            "Personnes ayant donné leur accord",
            "People who gave their agreement",
            "The child and/or parents or legal representative.",
            source=f"{_SOP} §2 L291; §3.4.2.3 L594",
        ),
    ]
    legal_representative_present: Annotated[
        bool | None,
        field(
            "Représentant légal / famille présent(e)",
            "Legal representative / family present",
            source=f"{_SOP} L819 (« la famille (si présente) »)",
        ),
    ] = None
    caregiver_is_alleged_perpetrator: Annotated[
        bool,
        field(
            "La personne en charge est l'auteur présumé",
            "The caregiver is the alleged perpetrator",
            "Caregiver consent is then not sought.",
            source=f"{_CMG} L222; {_SOP} §5.1.1 L783",
        ),
    ] = False
    information_explained: Annotated[
        bool,
        field(
            "Services, risques et limites de la confidentialité expliqués",
            "Services, risks and limits of confidentiality explained",
            "Information on the available services given before asking (informed agreement).",
            source=f"{_SOP} §3.4.2.3 L594; {_CMG} L222",
        ),
    ]
    consent_scope: Annotated[
        tuple[ConsentScope, ...],
        field(
            "Objet de l'accord",
            "Consent scope",
            "Purposes agreed to; empty when consent is refused.",
            source=f"{_SOP} L900, L594, L291, L960",
        ),
    ] = ()
    recipients: Annotated[
        tuple[ConsentRecipient, ...],
        field(
            "Destinataires autorisés",
            "Authorised recipients",
            source=f"{_SOP} §5.1.2 L900; CPIMS+ consent",
            cpims="consent_info_sharing",
        ),
    ] = ()
    recipients_details: Annotated[
        Text | None,
        field(
            "Structures destinataires (précisions)",
            "Recipient organisations (details)",
            "Named structures that contribute to solving the problem.",
            source=f"{_SOP} §5.1.2 L900",
            cpims="consent_info_sharing_others",
        ),
    ] = None
    valid_until: Annotated[
        dt.date | None,
        field(
            "Valable jusqu'au",
            "Valid until",
            "End of the consent's duration (none: until withdrawn or case closed).",
            source=f"{_CMG} L1010",
        ),
    ] = None
    single_use: Annotated[
        bool,
        field(
            "Usage unique",
            "Single use",
            "The consent covers one referral only.",
            source=f"{_CMG} L1010",
        ),
    ] = False
    withdrawn_on: Annotated[
        dt.date | None,
        field(
            "Retiré le",
            "Withdrawn on",
            source=f"{_CMG} L226",
        ),
    ] = None
    refusal_reason: Annotated[
        Text | None,
        field(
            "Motif du refus",
            "Reason for refusal",
            source="requirements §4.1 [INFERRED]",
            cpims="withholding_info_other_reason",
        ),
    ] = None
    legitimate_basis: Annotated[
        tuple[LegitimateBasis, ...],
        field(
            "Base légitime du traitement",
            "Legitimate basis",
            "Consent, or the legal basis used to act without it.",
            source=f"{_CMG} L226; CPIMS+ consent",
            cpims="legitimate_basis",
        ),
    ] = (LegitimateBasis.CONSENT,)
    override_justification: Annotated[
        Text | None,
        field(
            "Justification (intérêt supérieur) pour agir sans accord",
            "Justification (best interests) for acting without consent",
            source=f"{_CMG} L226",
        ),
    ] = None
    override_approved_by: Annotated[
        ShortText | None,
        field(
            "Validé par (superviseur)",
            "Approved by (supervisor)",
            "Identifier of the supervisor who signed off acting without consent.",
            source=f"{_CMG} L226 (CS5)",
        ),
    ] = None
    consent_notes: Annotated[
        Text | None,
        field("Commentaires", "Comments", source="CPIMS+ consent", cpims="consent_notes"),
    ] = None

    _not_future = field_validator("consent_date", "withdrawn_on")(check_not_future)

    @property
    def consent_from_child(self) -> bool:
        """True if the child agreed (consent or assent)."""
        return any(g.relationship is _CHILD and g.agreed for g in self.givers)

    @property
    def consent_from_caregiver(self) -> bool:
        """True if a parent, legal representative or other caregiver agreed."""
        return any(g.relationship is not _CHILD and g.agreed for g in self.givers)

    @property
    def consent_for_services(self) -> bool:
        """CPIMS+ ``consent_for_services``: referral to services is in the scope."""
        return ConsentScope.REFERRAL_TO_SERVICES in self.consent_scope

    @property
    def disclosure_other_orgs(self) -> bool:
        """CPIMS+ ``disclosure_other_orgs``: sharing with third parties is in the scope."""
        return ConsentScope.SHARE_WITH_THIRD_PARTIES in self.consent_scope

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        agreed = any(g.agreed for g in self.givers)
        if self.consent_scope and not agreed:
            problems.append(("consent_scope", "a scope is given but nobody agreed"))
        if self.consent_scope and not self.information_explained:
            problems.append(
                ("information_explained", "consent is informed only once services are explained")
            )
        if len(set(self.consent_scope)) != len(self.consent_scope):
            problems.append(("consent_scope", "a purpose is listed twice"))
        if len(set(self.recipients)) != len(self.recipients):
            problems.append(("recipients", "a recipient is listed twice"))
        if not self.legitimate_basis:
            problems.append(("legitimate_basis", "record consent or another legal basis"))
        if any(b is not LegitimateBasis.CONSENT for b in self.legitimate_basis):
            if self.override_justification is None:
                problems.append(
                    ("override_justification", "acting without consent needs a justification")
                )
            if self.override_approved_by is None:
                problems.append(
                    ("override_approved_by", "acting without consent needs a supervisor sign-off")
                )
        if self.valid_until is not None and self.valid_until < self.consent_date:
            problems.append(("valid_until", "the consent ends before it was given"))
        if self.withdrawn_on is not None and self.withdrawn_on < self.consent_date:
            problems.append(("withdrawn_on", "the consent is withdrawn before it was given"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
