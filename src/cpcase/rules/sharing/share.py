"""``share()``: a filtered view of a case file for one audience and purpose, plus its audit record.

The matrix (:mod:`.matrix`) says what an audience may see; this module applies it to a
:class:`~cpcase.case.CaseFile`, checks that the actor is entitled to this case (own case, direct
report, recipient of a recorded referral or transfer, same organisation for a meeting), checks
consent, and returns the view with an :class:`AuditRecord` for the caller to store. It never
stores anything and never reads the clock: ``now`` is an argument, earlier disclosures are passed
in ``consent_context.prior_disclosures`` (which is how a single-use consent is known to be used).

Refusals are exceptions that say what is missing, with machine-readable codes:
:class:`MissingConsent` (a :class:`~cpcase.errors.ConsentRequired`) and
:class:`SharingNotPermitted` (a :class:`~cpcase.errors.NotPermitted`). Messages name the case
code, the audience, the purpose and reason codes, never a name.

Two guarantees hold whatever the policy file says (SOP §6.1.2 L1142, course L763): the
"strictly confidential" section and a masked name (1.B ``hidden_name``) are only ever shown to
the caseworker and the supervisor.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from cpcase.case import CaseFile
from cpcase.errors import ConsentRequired, NotPermitted
from cpcase.forms import ConsentForm, FileTransfer, FormBase, Referral
from cpcase.rules.sharing._fields import CASE, HEADER_ALWAYS, field_index, top_level_fields
from cpcase.rules.sharing.consent import (
    ConsentRecord,
    ConsentState,
    ConsentStatus,
    evaluate_consent,
)
from cpcase.rules.sharing.matrix import (
    PRIVILEGED_AUDIENCES,
    AccessScope,
    Audience,
    ConsentNeed,
    DataClass,
    FormGrant,
    Purpose,
    SharingPolicy,
    SharingRule,
    ViewKind,
    code_member,
    load_sharing_policy,
)
from cpcase.vocab import (
    ConsentGiverRelationship,
    ConsentRecipient,
    ConsentScope,
    LegitimateBasis,
    ServiceCategory,
)

__all__ = [
    "AuditRecord",
    "ConsentContext",
    "ConsentOverride",
    "MissingConsent",
    "SharedForm",
    "SharedView",
    "SharingNotPermitted",
    "consent_records",
    "consent_status",
    "default_policy",
    "disclosable_fields",
    "share",
]

#: Keys that never leave the caseworker and supervisor, at any depth (course L763).
_CONFIDENTIAL_KEYS = frozenset({"strictly_confidential"})
#: Name keys hidden everywhere when the caseworker masked the name (SOP §6.1.2 L1142).
_NAME_KEYS = frozenset({"name_first", "name_last", "name_nickname"})


@functools.cache
def default_policy() -> SharingPolicy:
    """The shipped Mali 2020 sharing policy (loaded once)."""
    return load_sharing_policy("mali-2020")


# --- refusals -------------------------------------------------------------------------------


class MissingConsent(ConsentRequired):
    """No valid consent (nor a signed-off override) covers this disclosure.

    ``code`` is ``consent_missing``/``consent_expired``/``consent_withdrawn``/``consent_used``;
    ``reasons`` lists what is lacking (e.g. ``caregiver_consent_missing``,
    ``override_not_signed_off``); ``status`` is the full :class:`ConsentStatus`.
    """

    def __init__(
        self,
        *,
        case_code: str,
        audience: Audience,
        purpose: Purpose,
        status: ConsentStatus,
        reasons: tuple[str, ...],
    ) -> None:
        self.code = f"consent_{status.state.value}"
        self.case_code = case_code
        self.audience = audience
        self.purpose = purpose
        self.status = status
        self.reasons = reasons
        super().__init__(
            f"case {case_code}: {audience.value}/{purpose.value} needs consent: "
            f"{self.code} ({', '.join(reasons) or 'no detail'}); record a valid consent (1.A), "
            "or a legal basis with justification and a supervisor's sign-off"
        )


class SharingNotPermitted(NotPermitted):
    """The matrix, or the actor's relation to the case, does not allow this disclosure."""

    def __init__(
        self, *, case_code: str, audience: Audience, purpose: Purpose, code: str, detail: str
    ) -> None:
        self.code = code
        self.case_code = case_code
        self.audience = audience
        self.purpose = purpose
        super().__init__(f"case {case_code}: {audience.value}/{purpose.value}: {code}: {detail}")


# --- inputs and results -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ConsentOverride:
    """Acting without consent: a legal basis, a recorded justification, a supervisor's sign-off.

    Course case study CS5 (L226): the absence of consent does not let the organisation ignore
    abuse; if the law allows it, act, explain why, keep seeking participation. ``justification_ref``
    points to where the justification is written (a form's ``entry_id``); ``explanation_given``
    records that the child and family were told why.
    """

    basis: LegitimateBasis
    justification_ref: str
    approved_by: str
    approved_on: dt.date
    explanation_given: bool


@attrs.frozen(kw_only=True)
class AuditRecord:
    """Who disclosed what, to whom, why and on which basis (no names, no values).

    ``service`` is the requested service whose minimum-necessary fields were shown (providers).
    """

    at: dt.datetime
    actor_id: str
    audience: Audience
    purpose: Purpose
    case_code: str
    recipient: ConsentRecipient | None
    recipient_id: str | None
    service: ServiceCategory | None
    legal_basis: LegitimateBasis | None
    consent_id: str | None
    override_approved_by: str | None
    policy_id: str
    rule_citation: str
    fields_disclosed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (enum codes, ISO datetime)."""
        return {
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "audience": self.audience.value,
            "purpose": self.purpose.value,
            "case_code": self.case_code,
            "recipient": self.recipient.value if self.recipient else None,
            "recipient_id": self.recipient_id,
            "service": self.service.value if self.service else None,
            "legal_basis": self.legal_basis.value if self.legal_basis else None,
            "consent_id": self.consent_id,
            "override_approved_by": self.override_approved_by,
            "policy_id": self.policy_id,
            "rule_citation": self.rule_citation,
            "fields_disclosed": list(self.fields_disclosed),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AuditRecord:
        """Read a record written by :meth:`to_json` (e.g. an audit log kept by the caller)."""
        return cls(
            at=dt.datetime.fromisoformat(data["at"]),
            actor_id=data["actor_id"],
            audience=code_member(Audience, data["audience"]),
            purpose=code_member(Purpose, data["purpose"]),
            case_code=data["case_code"],
            recipient=code_member(ConsentRecipient, data["recipient"])
            if data.get("recipient")
            else None,
            recipient_id=data.get("recipient_id"),
            service=code_member(ServiceCategory, data["service"]) if data.get("service") else None,
            legal_basis=code_member(LegitimateBasis, data["legal_basis"])
            if data.get("legal_basis")
            else None,
            consent_id=data.get("consent_id"),
            override_approved_by=data.get("override_approved_by"),
            policy_id=data["policy_id"],
            rule_citation=data["rule_citation"],
            fields_disclosed=tuple(data.get("fields_disclosed", ())),
        )


@attrs.frozen(kw_only=True)
class ConsentContext:
    """Who is disclosing, to whom, and what earlier disclosures and overrides exist.

    ``recipient`` is the consent category of the receiver (default: ``other_organizations`` for
    providers and receiving organisations); ``recipient_id`` identifies it (provider or
    organisation id, matched against the A.1/A.2 form); ``service`` selects the minimum-necessary
    fields for a provider.
    """

    actor_id: str
    actor_organisation_id: str | None = None
    recipient: ConsentRecipient | None = None
    recipient_id: str | None = None
    service: ServiceCategory | None = None
    prior_disclosures: tuple[AuditRecord, ...] = ()
    override: ConsentOverride | None = None


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _leaf_paths(value: Any, prefix: str) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _leaf_paths(sub, path)
    elif isinstance(value, tuple):
        for item in value:
            yield from _leaf_paths(item, prefix)


@attrs.frozen
class SharedForm:
    """One form as shared: its code and the visible fields (read-only, JSON values)."""

    form_code: str
    fields: Mapping[str, Any]

    def paths(self) -> frozenset[str]:
        """Every field path present (``field`` and ``row_field.sub_field``)."""
        return frozenset(_leaf_paths(self.fields, ""))


@attrs.frozen
class SharedView:
    """What one audience receives for one purpose: the case code, a header and filtered forms."""

    case_code: str
    audience: Audience
    purpose: Purpose
    view: ViewKind
    header: Mapping[str, Any]
    forms: tuple[SharedForm, ...]

    def disclosed(self) -> tuple[str, ...]:
        """``FORM:path`` of every field disclosed (header as ``CASE:``), sorted, unique."""
        out = {f"{CASE}:{p}" for p in _leaf_paths(self.header, "")}
        for form in self.forms:
            out.update(f"{form.form_code}:{p}" for p in form.paths())
        return tuple(sorted(out))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the view."""
        return {
            "case_code": self.case_code,
            "audience": self.audience.value,
            "purpose": self.purpose.value,
            "view": self.view.value,
            "header": _thaw(self.header),
            "forms": [{"form_code": f.form_code, "fields": _thaw(f.fields)} for f in self.forms],
        }


# --- consent over a case file ---------------------------------------------------------------------


def _child_age(case: CaseFile, on: dt.date) -> int | None:
    reg = case.registration
    if reg is None:
        return None
    if reg.date_of_birth is not None:
        dob = reg.date_of_birth
        return on.year - dob.year - int((on.month, on.day) < (dob.month, dob.day))
    if reg.age is not None:
        return reg.age + max(0, (on - reg.registration_date).days) // 365
    return None


def _form_id(form: FormBase, code: str, index: int) -> str:
    return form.entry_id or f"{code}#{index}"


def consent_records(case: CaseFile) -> list[ConsentRecord]:
    """Consents recorded in ``case``: every 1.A, plus consents recorded on a referral or transfer.

    A 1.A gives its scope, recipients, duration, single use and withdrawal (course L1010). A
    referral (A.1) recorded as verbal consent with ``consent_for_services`` and
    ``disclosure_other_orgs``, and no 1.A reference, is a consent for that referral only (SOP
    §3.4.2.3 L594: "ou enregistrer le consentement verbal"); likewise a transfer (A.2) with
    ``disclosure_other_orgs`` and no 1.A reference. Both are bound to their receiver and single
    use.
    """
    records: list[ConsentRecord] = []
    for i, form in enumerate(case.consents):
        child = [g for g in form.givers if g.relationship is ConsentGiverRelationship.CHILD]
        adults = [g for g in form.givers if g.relationship is not ConsentGiverRelationship.CHILD]
        child_yes = [g for g in child if g.agreed]
        records.append(
            ConsentRecord(
                consent_id=_form_id(form, "1.A", i),
                given_on=form.consent_date,
                scopes=frozenset(form.consent_scope),
                recipients=frozenset(form.recipients),
                child_agreed=bool(child_yes),
                child_assent_only=bool(child_yes) and all(g.assent_only for g in child_yes),
                child_refused=any(not g.agreed for g in child),
                caregiver_agreed=any(g.agreed for g in adults),
                caregiver_refused=any(not g.agreed for g in adults),
                caregiver_is_alleged_perpetrator=form.caregiver_is_alleged_perpetrator,
                information_explained=form.information_explained,
                child_age=_child_age(case, form.consent_date),
                valid_until=form.valid_until,
                single_use=form.single_use,
                withdrawn_on=form.withdrawn_on,
                bases=frozenset(form.legitimate_basis),
            )
        )
    for i, ref in enumerate(case.referrals):
        if (
            ref.consent_form_ref is None
            and ref.consent_verbal
            and ref.consent_for_services
            and ref.disclosure_other_orgs
        ):
            records.append(
                _bound_record(case, _form_id(ref, "A.1", i) + ":verbal", ref.referral_date, ref)
            )
    for i, tr in enumerate(case.transfers):
        if tr.consent_form_ref is None and tr.disclosure_other_orgs:
            records.append(
                _bound_record(case, _form_id(tr, "A.2", i) + ":recorded", tr.transfer_date, tr)
            )
    return records


def _receiver_ids(form: Referral | FileTransfer) -> frozenset[str]:
    return frozenset(x for x in (form.receiving_provider_id, form.receiving_organisation) if x)


def _bound_record(
    case: CaseFile, cid: str, day: dt.date, form: Referral | FileTransfer
) -> ConsentRecord:
    scope = (
        ConsentScope.REFERRAL_TO_SERVICES if isinstance(form, Referral) else ConsentScope.TRANSFER
    )
    return ConsentRecord(
        consent_id=cid,
        given_on=day,
        scopes=frozenset({scope}),
        recipients=frozenset({ConsentRecipient.OTHER_ORGANIZATIONS}),
        child_agreed=True,
        caregiver_agreed=True,
        child_age=_child_age(case, day),
        single_use=True,
        recipient_ids=_receiver_ids(form),
    )


def _used_ids(
    case: CaseFile, prior: Iterable[AuditRecord], current: FormBase | None, now: dt.datetime
) -> set[str]:
    used = {
        r.consent_id
        for r in prior
        if r.consent_id is not None and r.case_code == case.case_code and r.at <= now
    }
    linked: tuple[Referral | FileTransfer, ...] = (*case.referrals, *case.transfers)
    for form in linked:
        if form is current or form.consent_form_ref is None:
            continue
        if form.form_date <= now.date():
            used.add(form.consent_form_ref)
    return used


def consent_status(
    case: CaseFile,
    purpose: Purpose,
    recipient: ConsentRecipient | None,
    now: dt.datetime,
    *,
    recipient_id: str | None = None,
    policy: SharingPolicy | None = None,
    prior: Iterable[AuditRecord] = (),
    for_form: FormBase | None = None,
) -> ConsentStatus:
    """``valid``/``missing``/``expired``/``withdrawn``/``used`` for ``purpose`` and ``recipient``.

    Looks at the case's consent forms (see :func:`consent_records`); when ``for_form`` (the
    referral or transfer being acted on) cites a 1.A, only that consent counts. A single-use
    consent is ``used`` once an earlier disclosure of this case in ``prior`` relied on it, or
    once another referral or transfer of the file (other than ``for_form``) cites it.
    """
    pol = policy or default_policy()
    records = consent_records(case)
    cited = getattr(for_form, "consent_form_ref", None)
    if isinstance(cited, str):
        # The referral or transfer names the consent it rests on: only that one counts.
        records = [r for r in records if r.consent_id == cited]
        if not records:
            return ConsentStatus(ConsentState.MISSING, None, ("cited_consent_not_on_file",))
    return evaluate_consent(
        records,
        purpose,
        recipient,
        now,
        policy=pol.consent,
        used=_used_ids(case, prior, for_form, now),
        recipient_id=recipient_id,
    )


# --- share ---------------------------------------------------------------------------------------


def _refuse(case: CaseFile, rule: SharingRule, code: str, detail: str) -> SharingNotPermitted:
    return SharingNotPermitted(
        case_code=case.case_code,
        audience=rule.audience,
        purpose=rule.purpose,
        code=code,
        detail=detail,
    )


def _matching(
    forms: Iterable[Referral | FileTransfer], recipient_id: str | None
) -> list[Referral | FileTransfer]:
    return [f for f in forms if recipient_id is not None and recipient_id in _receiver_ids(f)]


def _check_scope(case: CaseFile, rule: SharingRule, ctx: ConsentContext) -> FormBase | None:
    """Check the actor's relation to the case; return the A.1/A.2 the disclosure rests on."""
    scope = rule.scope
    if scope is AccessScope.OWN_CASES and (
        case.caseworker_id is None or ctx.actor_id != case.caseworker_id
    ):
        raise _refuse(case, rule, "not_own_case", "the actor is not the case's caseworker")
    if scope is AccessScope.TEAM and (
        case.supervisor_id is None or ctx.actor_id != case.supervisor_id
    ):
        raise _refuse(case, rule, "not_direct_supervisor", "the actor does not supervise it")
    if scope is AccessScope.ORGANISATION and ctx.actor_organisation_id != case.organisation_id:
        raise _refuse(case, rule, "other_organisation", "the case belongs to another organisation")
    if scope in (AccessScope.REGION, AccessScope.NATIONAL):
        raise _refuse(case, rule, "aggregates_only", "this audience receives statistics only")
    if rule.requires_form is None:
        return None
    if ctx.recipient_id is None:
        raise _refuse(case, rule, "recipient_required", "name the receiving organisation")
    if rule.requires_form == "A.1":
        refs = [
            r
            for r in _matching(case.referrals, ctx.recipient_id)
            if isinstance(r, Referral) and (ctx.service is None or r.service_type is ctx.service)
        ]
        if not refs:
            raise _refuse(
                case, rule, "no_referral_to_recipient", "no A.1 referral to that recipient"
            )
        return max(refs, key=lambda r: r.referral_date)
    if rule.requires_form == "A.2":
        transfers = _matching(case.transfers, ctx.recipient_id)
        if not transfers:
            raise _refuse(
                case, rule, "no_transfer_to_recipient", "no A.2 transfer to that recipient"
            )
        latest = max(transfers, key=lambda t: t.form_date)
        if isinstance(latest, FileTransfer) and not latest.receiving_org_has_trained_cm_team:
            raise _refuse(case, rule, "receiver_not_trained", "SOP L564: refer instead")
        return latest
    held = case.forms(rule.requires_form)
    if not held:
        raise _refuse(case, rule, "required_form_missing", f"no {rule.requires_form} form")
    return held[-1]


def _override_problems(override: ConsentOverride, actor_id: str, today: dt.date) -> list[str]:
    problems = []
    if override.basis is LegitimateBasis.CONSENT:
        problems.append("override_basis_is_consent")
    if not override.justification_ref.strip():
        problems.append("override_not_justified")
    if not override.approved_by.strip():
        problems.append("override_not_signed_off")
    elif override.approved_by == actor_id:
        problems.append("override_self_signed")
    if override.approved_on > today:
        problems.append("override_signed_in_future")
    if not override.explanation_given:
        problems.append("explanation_not_given")
    return problems


def _form_override(trigger: FormBase | None, actor_id: str) -> tuple[LegitimateBasis, str] | None:
    """An override recorded on the A.1/A.2 itself, signed off by someone other than the actor.

    The form's own validators already require a legal basis, a justification and the approver
    (CM course CS5); the approver may not be the person disclosing.
    """
    if not isinstance(trigger, Referral | FileTransfer) or not trigger.consent_overridden:
        return None
    approver = trigger.consent_override_approved_by
    basis = trigger.consent_override_basis
    if approver is None or basis is None or approver == actor_id or basis.cpims is None:
        return None
    return LegitimateBasis.from_cpims(basis.cpims), approver


def _recorded_override(
    case: CaseFile, purpose: Purpose, actor_id: str, today: dt.date, policy: SharingPolicy
) -> tuple[ConsentForm, str] | None:
    """A 1.A recording a non-consent basis, justified and signed off by someone else."""
    scopes = policy.consent.scopes_for(purpose)
    for i, form in enumerate(case.consents):
        bases = [b for b in form.legitimate_basis if b is not LegitimateBasis.CONSENT]
        if (
            bases
            and form.override_justification is not None
            and form.override_approved_by is not None
            and form.override_approved_by != actor_id
            and form.consent_date <= today
            and (form.withdrawn_on is None or form.withdrawn_on > today)
            and (not form.consent_scope or set(form.consent_scope) & scopes)
        ):
            return form, _form_id(form, "1.A", i)
    return None


def _remove(value: Any, parts: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _remove(item, parts)
        return
    if not isinstance(value, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if not rest:
        value.pop(head, None)
    elif head in value:
        _remove(value[head], rest)


def _drop_keys(value: Any, keys: frozenset[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _drop_keys(item, keys)
    elif isinstance(value, dict):
        for key in [k for k in value if k in keys]:
            del value[key]
        for sub in value.values():
            _drop_keys(sub, keys)


def _granted(rule: SharingRule, service: ServiceCategory | None) -> list[FormGrant]:
    grants = list(rule.forms)
    for sg in rule.services:
        if service is not None and sg.service == service.value:
            grants.extend(sg.forms)
    return grants


def _allowed(grants: list[FormGrant], code: str) -> frozenset[str] | None:
    """Top-level fields of ``code`` granted (``None``: not granted at all)."""
    fields: set[str] = set()
    hit = False
    for g in grants:
        if g.form == code or (g.form == "*" and code != CASE):
            hit = True
            if "*" in g.fields:
                return top_level_fields(code) or frozenset({"*"})
            fields.update(g.fields)
    return frozenset(fields) if hit else None


def _filtered(
    data: dict[str, Any],
    code: str,
    allowed: frozenset[str],
    remove: Mapping[str, set[str]],
    hard_keys: frozenset[str],
) -> dict[str, Any]:
    keep = allowed | (HEADER_ALWAYS if code != CASE else frozenset({"case_code"}))
    out = {k: copy.deepcopy(v) for k, v in data.items() if "*" in allowed or k in keep}
    for path in remove.get(code, ()):
        _remove(out, path.split("."))
    _drop_keys(out, hard_keys)
    return out


def _header_data(case: CaseFile) -> dict[str, Any]:
    return case.model_dump(mode="json", exclude=set(CaseFile.FORM_ATTRIBUTES.values()))


def share(
    case_file: CaseFile,
    audience: Audience,
    purpose: Purpose,
    *,
    consent_context: ConsentContext,
    now: dt.datetime,
    policy: SharingPolicy | None = None,
) -> tuple[SharedView, AuditRecord]:
    """Filter ``case_file`` for ``audience`` and ``purpose``; return the view and its audit record.

    Raises :class:`SharingNotPermitted` when the matrix has no enabled rule, the audience gets
    aggregates only, or the actor is not entitled to this case; :class:`MissingConsent` when the
    rule needs consent and neither a valid consent nor a signed-off override covers it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    pol = policy or default_policy()
    ctx = consent_context
    rule = pol.rule(audience, purpose)
    if rule is None or not rule.enabled:
        raise SharingNotPermitted(
            case_code=case_file.case_code,
            audience=audience,
            purpose=purpose,
            code="no_rule" if rule is None else "disabled_by_policy",
            detail=f"policy {pol.profile.id} does not allow it",
        )
    if rule.view is ViewKind.AGGREGATE:
        raise _refuse(case_file, rule, "aggregates_only", "use the monthly sheet (indicators)")
    trigger = _check_scope(case_file, rule, ctx)
    service = ctx.service
    if service is None and isinstance(trigger, Referral):
        service = trigger.service_type

    recipient = ctx.recipient
    if recipient is None and audience in (Audience.PROVIDER, Audience.RECEIVING_ORG):
        recipient = ConsentRecipient.OTHER_ORGANIZATIONS
    basis: LegitimateBasis | None = None
    consent_id: str | None = None
    approver: str | None = None
    if rule.consent is ConsentNeed.REQUIRED:
        status = consent_status(
            case_file,
            purpose,
            recipient,
            now,
            recipient_id=ctx.recipient_id,
            policy=pol,
            prior=ctx.prior_disclosures,
            for_form=trigger,
        )
        if status.is_valid:
            basis, consent_id = LegitimateBasis.CONSENT, status.consent_id
        elif ctx.override is not None:
            problems = _override_problems(ctx.override, ctx.actor_id, now.date())
            if problems:
                raise MissingConsent(
                    case_code=case_file.case_code,
                    audience=audience,
                    purpose=purpose,
                    status=status,
                    reasons=(*status.reasons, *problems),
                )
            basis, approver = ctx.override.basis, ctx.override.approved_by
        elif (on_form := _form_override(trigger, ctx.actor_id)) is not None:
            basis, approver = on_form
        else:
            recorded = _recorded_override(case_file, purpose, ctx.actor_id, now.date(), pol)
            if recorded is None:
                raise MissingConsent(
                    case_code=case_file.case_code,
                    audience=audience,
                    purpose=purpose,
                    status=status,
                    reasons=status.reasons,
                )
            form, consent_id = recorded
            basis = next(b for b in form.legitimate_basis if b is not LegitimateBasis.CONSENT)
            approver = form.override_approved_by

    view = _build_view(case_file, rule, pol, service, trigger)
    record = AuditRecord(
        at=now,
        actor_id=ctx.actor_id,
        audience=audience,
        purpose=purpose,
        case_code=case_file.case_code,
        recipient=recipient,
        recipient_id=ctx.recipient_id,
        service=service if rule.services else None,
        legal_basis=basis,
        consent_id=consent_id,
        override_approved_by=approver,
        policy_id=pol.profile.id,
        rule_citation=rule.citation,
        fields_disclosed=view.disclosed(),
    )
    return view, record


def _redactions(
    rule: SharingRule, policy: SharingPolicy, *, masked: bool
) -> tuple[dict[str, set[str]], frozenset[str]]:
    """Paths removed per form code, and keys removed at any depth, for ``rule``."""
    privileged = rule.audience in PRIVILEGED_AUDIENCES
    redact = set(rule.redact)
    hard_keys: frozenset[str] = frozenset()
    if not privileged:
        redact.add(DataClass.STRICTLY_CONFIDENTIAL)
        hard_keys |= _CONFIDENTIAL_KEYS
        if masked:
            redact.add(DataClass.NAME)
            hard_keys |= _NAME_KEYS
    if DataClass.NAME in redact:
        hard_keys |= _NAME_KEYS
    remove: dict[str, set[str]] = {}
    for data_class in redact:
        for code, path in policy.fields_of(data_class):
            remove.setdefault(code, set()).add(path)
    return remove, hard_keys


def disclosable_fields(
    audience: Audience,
    purpose: Purpose,
    *,
    service: ServiceCategory | None = None,
    policy: SharingPolicy | None = None,
) -> Mapping[str, frozenset[str]]:
    """Every field path :func:`share` may disclose to ``audience`` for ``purpose``, by form code.

    The most any case can show under this rule (``CASE`` is the header; paths as in
    :meth:`SharedForm.paths`): for one requested ``service``, or for every service when it is
    ``None``. Per-case removals (a masked name, a provider's other referrals) only take away, so
    each path of a view's :meth:`SharedView.disclosed` is listed here or lies under a listed
    path (free-form mappings such as ``CASE:extra_fields`` are listed by their own name). Lets a
    caller lay out a document (an Excel export's columns) before seeing any case. Empty when
    the matrix has no enabled rule with a record or list view for them.
    """
    pol = policy or default_policy()
    rule = pol.rule(audience, purpose)
    if rule is None or not rule.enabled or rule.view is ViewKind.AGGREGATE:
        return MappingProxyType({})
    if service is None:
        grants = [*rule.forms, *(g for sg in rule.services for g in sg.forms)]
    else:
        grants = _granted(rule, service)
    remove, hard_keys = _redactions(rule, pol, masked=False)
    out: dict[str, frozenset[str]] = {}
    for code, paths in field_index().items():
        allowed = _allowed(grants, code)
        if allowed is None and code != CASE:
            continue
        granted = allowed or frozenset()
        keep = granted | (HEADER_ALWAYS if code != CASE else frozenset({"case_code"}))
        removed = remove.get(code, set())
        visible = set()
        for path in paths:
            parts = path.split(".")
            if parts[0] not in keep and "*" not in granted:
                continue
            if any(path == r or path.startswith(f"{r}.") for r in removed):
                continue
            if hard_keys.intersection(parts):
                continue
            visible.add(path)
        out[code] = frozenset(visible)
    return MappingProxyType(out)


def _build_view(
    case: CaseFile,
    rule: SharingRule,
    policy: SharingPolicy,
    service: ServiceCategory | None,
    trigger: FormBase | None,
) -> SharedView:
    masked = case.registration is not None and case.registration.hidden_name
    remove, hard_keys = _redactions(rule, policy, masked=masked)
    grants = _granted(rule, service)
    only = trigger if rule.requires_form is not None else None
    header_allowed = _allowed(grants, CASE) or frozenset()
    header = _filtered(_header_data(case), CASE, header_allowed, remove, hard_keys)
    forms: list[SharedForm] = []
    for form in case.forms():
        allowed = _allowed(grants, form.form_code)
        if allowed is None:
            continue
        if only is not None and form.form_code == only.form_code and form is not only:
            continue  # a provider sees its own referral, not the child's other referrals
        data = form.model_dump(mode="json")
        forms.append(
            SharedForm(
                form.form_code,
                _freeze(_filtered(data, form.form_code, allowed, remove, hard_keys)),
            )
        )
    return SharedView(
        case_code=case.case_code,
        audience=rule.audience,
        purpose=rule.purpose,
        view=rule.view,
        header=_freeze(header),
        forms=tuple(forms),
    )
