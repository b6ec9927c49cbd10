"""Consent and assent: who must agree, and whether a recorded consent covers a disclosure.

The seeds require informed agreement before any sharing with third parties, before a referral
and for a transfer (Mali SOP 2020 L900, L594, L291), from "the child and/or parents/guardians".
They give **no ages** (requirements §6.5; course §6.1), so the thresholds in
:class:`~cpcase.rules.sharing.matrix.ConsentPolicy` are marked *not from the seeds* and follow
common inter-agency practice, overridable in the policy TOML:

* below ``assent_from_age`` (default 6): caregiver consent; the child gets an age-appropriate
  explanation (course L224: even under 5);
* from ``assent_from_age`` to ``child_consent_from_age`` - 1 (default 6–14): the child's informed
  assent **and** caregiver consent;
* from ``child_consent_from_age`` (default 15): the adolescent's own informed consent; caregiver
  consent is sought where safe and appropriate but does not block;
* a caregiver who is the alleged perpetrator is never asked. For a younger child this leaves no
  one who can consent: acting then needs a recorded legal basis or best-interests justification
  and a supervisor's sign-off (course L226, case study CS5).

A consent has a scope (purposes), recipients, a duration and may be single-use or withdrawn
(course L1010). :func:`evaluate_consent` returns ``valid``, ``missing``, ``expired``,
``withdrawn`` or ``used`` with machine-readable reasons; it is pure (``now`` is an argument and
prior uses are passed in, e.g. the audit records of earlier disclosures).

>>> from cpcase.rules.sharing.matrix import ConsentPolicy
>>> req = consent_requirement(12, policy=ConsentPolicy())
>>> req.child.value, req.caregiver.value, req.needs_override
('assent', 'required', False)
>>> consent_requirement(12, caregiver_is_alleged_perpetrator=True, policy=ConsentPolicy()).reasons
('child_assent_age', 'caregiver_alleged_perpetrator', 'no_one_can_consent')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

import attrs

from cpcase.labels import LabelledEnum
from cpcase.rules.sharing.matrix import ConsentPolicy, Purpose
from cpcase.vocab import ConsentRecipient, ConsentScope, LegitimateBasis

__all__ = [
    "CaregiverRole",
    "ChildRole",
    "ConsentRecord",
    "ConsentRequirement",
    "ConsentState",
    "ConsentStatus",
    "consent_requirement",
    "evaluate_consent",
    "missing_agreements",
]

_NOT_SEED = "NOT FROM THE SEEDS (inter-agency practice; policy [consent])"


class ChildRole(LabelledEnum):
    """What is asked of the child, by age (thresholds not from the seeds)."""

    EXPLAIN = (
        "explain",
        "Explication adaptée à l'âge (pas d'accord formel)",
        "Age-appropriate explanation (no formal agreement)",
        "CM course L224",
    )
    ASSENT = ("assent", "Assentiment éclairé", "Informed assent", "CM course L224")
    CONSENT = ("consent", "Consentement éclairé", "Informed consent", "CM course L222")


class CaregiverRole(LabelledEnum):
    """What is asked of the parent, legal representative or caregiver."""

    REQUIRED = (
        "required",
        "Consentement requis",
        "Consent required",
        "Mali SOP 2020 §3.4.2.3 L594 (« l'enfant et son représentant légal »)",
    )
    IF_SAFE = (
        "if_safe",
        "Sollicité si sûr et approprié (non bloquant)",
        "Sought if safe and appropriate (not blocking)",
        _NOT_SEED,
    )
    NOT_SOUGHT = (
        "not_sought",
        "Non sollicité (auteur présumé ou indisponible)",
        "Not sought (alleged perpetrator or unavailable)",
        "CM course L222; requirements §4.1",
    )


class ConsentState(LabelledEnum):
    """Outcome of checking a consent for one purpose and recipient."""

    VALID = ("valid", "Valide", "Valid", "CM course L1010")
    MISSING = ("missing", "Absent ou insuffisant", "Missing or insufficient", "SOP L900")
    EXPIRED = ("expired", "Expiré", "Expired", "CM course L1010 (durée)")
    WITHDRAWN = ("withdrawn", "Retiré", "Withdrawn", "CM course L226")
    USED = ("used", "Déjà utilisé (usage unique)", "Already used (single use)", "CM L1010")


@attrs.frozen(kw_only=True)
class ConsentRequirement:
    """Whose agreement a disclosure needs for a child of a given age."""

    child: ChildRole
    caregiver: CaregiverRole
    needs_override: bool
    reasons: tuple[str, ...]


def consent_requirement(
    age: int | None,
    *,
    caregiver_is_alleged_perpetrator: bool = False,
    caregiver_available: bool = True,
    policy: ConsentPolicy,
) -> ConsentRequirement:
    """Who must agree for a child aged ``age`` (years; ``None`` if unknown).

    An unknown age is treated as the middle band (child assent plus caregiver consent), the
    most demanding combination, rather than guessed.
    """
    reasons: list[str] = []
    if age is None:
        reasons.append("age_unknown")
        child = ChildRole.ASSENT
    elif age >= policy.adult_age:
        return ConsentRequirement(
            child=ChildRole.CONSENT,
            caregiver=CaregiverRole.NOT_SOUGHT,
            needs_override=False,
            reasons=("adult",),
        )
    elif age >= policy.child_consent_from_age:
        reasons.append("child_consent_age")
        child = ChildRole.CONSENT
    elif age >= policy.assent_from_age:
        reasons.append("child_assent_age")
        child = ChildRole.ASSENT
    else:
        reasons.append("explanation_only_age")
        child = ChildRole.EXPLAIN
    if caregiver_is_alleged_perpetrator or not caregiver_available:
        reasons.append(
            "caregiver_alleged_perpetrator" if caregiver_is_alleged_perpetrator else "no_caregiver"
        )
        needs_override = child is not ChildRole.CONSENT
        if needs_override:
            reasons.append("no_one_can_consent")
        return ConsentRequirement(
            child=child,
            caregiver=CaregiverRole.NOT_SOUGHT,
            needs_override=needs_override,
            reasons=tuple(reasons),
        )
    caregiver = CaregiverRole.IF_SAFE if child is ChildRole.CONSENT else CaregiverRole.REQUIRED
    return ConsentRequirement(
        child=child, caregiver=caregiver, needs_override=False, reasons=tuple(reasons)
    )


@attrs.frozen
class ConsentRecord:
    """A recorded agreement (normally read from a 1.A form), independent of the form model.

    ``child_age`` is the child's age in years on ``given_on`` (``None`` if unknown): a consent
    given at 14 under the assent rules stays valid after the 15th birthday. ``recipient_ids``
    binds a consent to named organisations (e.g. a verbal consent recorded on one referral);
    ``None`` means any organisation of the ``recipients`` categories.
    """

    consent_id: str
    given_on: dt.date
    scopes: frozenset[ConsentScope]
    recipients: frozenset[ConsentRecipient]
    child_agreed: bool = False
    child_assent_only: bool = False
    child_refused: bool = False
    caregiver_agreed: bool = False
    caregiver_refused: bool = False
    caregiver_is_alleged_perpetrator: bool = False
    information_explained: bool = True
    child_age: int | None = None
    valid_until: dt.date | None = None
    single_use: bool = False
    withdrawn_on: dt.date | None = None
    bases: frozenset[LegitimateBasis] = frozenset({LegitimateBasis.CONSENT})
    recipient_ids: frozenset[str] | None = None


def missing_agreements(record: ConsentRecord, requirement: ConsentRequirement) -> tuple[str, ...]:
    """Reason codes for what ``record`` lacks under ``requirement`` (empty: sufficient)."""
    missing: list[str] = []
    if not record.information_explained:
        missing.append("not_informed")
    if requirement.child is ChildRole.CONSENT:
        if record.child_refused:
            missing.append("child_refused")
        elif not record.child_agreed or record.child_assent_only:
            missing.append("child_consent_missing")
    elif requirement.child is ChildRole.ASSENT:
        if record.child_refused:
            missing.append("child_refused")
        elif not record.child_agreed:
            missing.append("child_assent_missing")
    if requirement.caregiver is CaregiverRole.REQUIRED:
        if record.caregiver_refused and not record.caregiver_agreed:
            missing.append("caregiver_refused")
        elif not record.caregiver_agreed:
            missing.append("caregiver_consent_missing")
    if requirement.needs_override:
        missing.append("override_required")
    return tuple(missing)


@attrs.frozen
class ConsentStatus:
    """Result of :func:`evaluate_consent`: the state, the consent it rests on, and why."""

    state: ConsentState
    consent_id: str | None
    reasons: tuple[str, ...]
    requirement: ConsentRequirement | None = None

    @property
    def is_valid(self) -> bool:
        """True only for :attr:`ConsentState.VALID`."""
        return self.state is ConsentState.VALID


def _expiry(record: ConsentRecord, policy: ConsentPolicy) -> dt.date | None:
    if record.valid_until is not None:
        return record.valid_until
    if policy.default_validity_days is None:
        return None
    return record.given_on + dt.timedelta(days=policy.default_validity_days)


def _check(
    record: ConsentRecord,
    today: dt.date,
    used: Collection[str],
    policy: ConsentPolicy,
) -> ConsentStatus:
    requirement = consent_requirement(
        record.child_age,
        caregiver_is_alleged_perpetrator=record.caregiver_is_alleged_perpetrator,
        policy=policy,
    )
    cid = record.consent_id
    if record.withdrawn_on is not None and record.withdrawn_on <= today:
        return ConsentStatus(ConsentState.WITHDRAWN, cid, ("withdrawn",), requirement)
    expiry = _expiry(record, policy)
    if expiry is not None and today > expiry:
        return ConsentStatus(ConsentState.EXPIRED, cid, ("expired",), requirement)
    if record.single_use and cid in used:
        return ConsentStatus(ConsentState.USED, cid, ("single_use_already_used",), requirement)
    missing = missing_agreements(record, requirement)
    if missing:
        return ConsentStatus(ConsentState.MISSING, cid, missing, requirement)
    return ConsentStatus(ConsentState.VALID, cid, (), requirement)


def evaluate_consent(
    records: Iterable[ConsentRecord],
    purpose: Purpose,
    recipient: ConsentRecipient | None,
    now: dt.datetime,
    *,
    policy: ConsentPolicy,
    used: Collection[str] = (),
    recipient_id: str | None = None,
) -> ConsentStatus:
    """Whether some consent in ``records`` covers ``purpose`` for ``recipient`` at ``now``.

    ``used`` holds the ids of consents already used for a disclosure (single-use consents in it
    are ``used``); ``recipient_id`` names the receiving organisation for consents bound to one. Only records whose basis includes consent, whose scope covers the purpose and
    whose recipients include ``recipient`` are considered. If none is valid, the state of the
    most recent candidate is returned (``missing`` when there is no candidate at all).
    """
    today = now.date()
    scopes = policy.scopes_for(purpose)
    if not scopes:
        return ConsentStatus(ConsentState.MISSING, None, ("purpose_not_consentable",))
    candidates: list[ConsentRecord] = []
    reasons: set[str] = set()
    for record in records:
        if LegitimateBasis.CONSENT not in record.bases:
            reasons.add("recorded_basis_is_not_consent")
            continue
        if record.given_on > today:
            reasons.add("consent_dated_in_future")
            continue
        if not record.scopes & scopes:
            reasons.add("purpose_not_in_scope")
            continue
        uncovered = recipient is not None and recipient not in record.recipients
        if uncovered and (record.recipients or policy.require_named_recipient):
            reasons.add("recipient_not_covered")
            continue
        if record.recipient_ids is not None and recipient_id not in record.recipient_ids:
            reasons.add("recipient_not_covered")
            continue
        candidates.append(record)
    if not candidates:
        reasons.add("no_consent_recorded")
        return ConsentStatus(ConsentState.MISSING, None, tuple(sorted(reasons)))
    candidates.sort(key=lambda r: (r.given_on, r.consent_id), reverse=True)
    results = [_check(r, today, used, policy) for r in candidates]
    return next((r for r in results if r.is_valid), results[0])
