"""The sharing matrix: who may see which forms and fields, for what purpose, under which consent.

The Mali SOP 2020 says personal data is shared only for a referral or a transfer, with consent
and only what the service needs (§6.3 L1195, §3.4.2.3 L599); that caseworkers alone see names on
dashboards and supervisors see codes (§6.1.2 L1142); that managers see only their organisation's
statistics and the DNPEF all of them (§6.3 L1195). Its data protocol (Annexe 5) is absent from the
seed, so the detailed matrix is policy data: a TOML file shipped in ``profiles/`` with a citation
on every rule, loaded into the frozen models below. A deployment overrides it with its own TOML
(``[profile] extends = "mali-2020"``), replacing only the rules and keys it names.

Some guarantees are not policy and cannot be overridden (they are checked when a policy loads
and enforced again by :func:`cpcase.rules.sharing.share`):

* the "strictly confidential" section never leaves the caseworker and the supervisor (course
  L763);
* a masked name (``hidden_name``) never leaves the caseworker and the supervisor (§6.1.2 L1142);
* list views and case-conference views never carry names (§6.1.2 L1142, course L1066);
* aggregate audiences (organisation manager, region, nation) get aggregates only (§6.3 L1195).

>>> policy = load_sharing_policy("mali-2020")
>>> rule = policy.rule(Audience.SUPERVISOR, Purpose.DASHBOARD)
>>> rule.view.value, DataClass.NAME in rule.redact
('list', True)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cpcase.errors import PolicyError, UnknownProfileError
from cpcase.labels import LabelledEnum
from cpcase.rules.sharing._fields import field_index, top_level_fields
from cpcase.vocab import ConsentScope, ServiceCategory

__all__ = [
    "PRIVILEGED_AUDIENCES",
    "AccessScope",
    "Audience",
    "ConsentNeed",
    "ConsentPolicy",
    "DataClass",
    "FieldClassification",
    "FormGrant",
    "PolicyHeader",
    "Purpose",
    "PurposeScopes",
    "ServiceGrant",
    "SharingPolicy",
    "SharingRule",
    "StatisticsPolicy",
    "ViewKind",
    "code_member",
    "list_sharing_policies",
    "load_sharing_policy",
    "sharing_policy_from_toml",
]

_SOP = "Mali SOP 2020"
_CM = "CM course"


class Audience(LabelledEnum):
    """Who receives information (SOP §6.3 L1195; requirements §6.2 [INFERRED] scopes)."""

    CASEWORKER = (
        "caseworker",
        "Gestionnaire de cas du dossier",
        "The case's caseworker",
        f"{_SOP} §6.1.2 L1142",
    )
    SUPERVISOR = (
        "supervisor",
        "Superviseur direct",
        "Direct supervisor",
        f"{_SOP} §6.1.2 L1142; §6.3 L1195",
    )
    PROVIDER = (
        "provider",
        "Prestataire de services recevant un référencement",
        "Service provider receiving a referral",
        f"{_SOP} §3.4.2.3 L592–L601",
    )
    RECEIVING_ORG = (
        "receiving_org",
        "Organisation recevant le dossier (transfert)",
        "Organisation receiving the file (transfer)",
        f"{_SOP} §3.4.2 L559–L564",
    )
    CHILD_FAMILY = (
        "child_family",
        "L'enfant ou sa famille (accès à son propre dossier)",
        "The child or family (access to their own file)",
        f"{_CM} L773",
    )
    ORG_MANAGER = (
        "org_manager",
        "Responsable d'organisation (statistiques de sa seule organisation)",
        "Organisation manager (own organisation's statistics only)",
        f"{_SOP} §6.3 L1195",
    )
    REGIONAL = (
        "regional",
        "Direction régionale (DRPFEF : statistiques régionales)",
        "Regional directorate (DRPFEF: regional statistics)",
        f"{_SOP} §3.2 L320",
    )
    NATIONAL = (
        "national",
        "Direction nationale (DNPEF : statistiques cumulées)",
        "National directorate (DNPEF: cumulative statistics)",
        f"{_SOP} §6.3 L1195",
    )
    MEETING = (
        "meeting",
        "Réunion de gestion de cas / conférence de cas (anonymisée)",
        "Case-management meeting / case conference (anonymised)",
        f"{_CM} L1066",
    )


#: Audiences that may see the strictly confidential section and masked names.
PRIVILEGED_AUDIENCES = frozenset({Audience.CASEWORKER, Audience.SUPERVISOR})
_AGGREGATE_AUDIENCES = frozenset({Audience.ORG_MANAGER, Audience.REGIONAL, Audience.NATIONAL})


class Purpose(LabelledEnum):
    """Why information is disclosed; consent scopes are expressed in the same terms."""

    CASE_WORK = (
        "case_work",
        "Gestion du dossier par son gestionnaire",
        "Case work by the file's caseworker",
        f"{_SOP} §6.3 L1195",
    )
    DASHBOARD = (
        "dashboard",
        "Tableau de bord / listes",
        "Dashboard / list views",
        f"{_SOP} §6.1.2 L1142",
    )
    CASE_REVIEW = (
        "case_review",
        "Supervision d'un dossier (consultation par le superviseur direct)",
        "Supervision of a file (opened by the direct supervisor)",
        f"{_SOP} §6.3 L1195",
    )
    REFERRAL = (
        "referral",
        "Référencement vers un service",
        "Referral to a service",
        f"{_SOP} §3.4.2.3 L594–L601",
    )
    TRANSFER = (
        "transfer",
        "Transfert du dossier",
        "Transfer of the file",
        f"{_SOP} §3.4.2 L559; L291",
    )
    OWN_FILE = (
        "own_file",
        "Consultation de son propre dossier",
        "Viewing one's own file",
        f"{_CM} L773",
    )
    STATISTICS = (
        "statistics",
        "Statistiques (fiches mensuelles)",
        "Statistics (monthly data sheets)",
        f"{_SOP} §3.2 L320; §6.3 L1193",
    )
    CASE_CONFERENCE = (
        "case_conference",
        "Réunion de gestion de cas / conférence de cas",
        "Case-management meeting / case conference",
        f"{_SOP} §5.5 L1080–L1086; {_CM} L1066",
    )


class ViewKind(LabelledEnum):
    """Shape of what an audience receives."""

    RECORD = ("record", "Dossier (formulaires filtrés)", "Record (filtered forms)", "")
    LIST = ("list", "Liste / tableau de bord (codes)", "List / dashboard (codes)", "")
    AGGREGATE = ("aggregate", "Agrégats statistiques", "Statistical aggregates", "")


class AccessScope(LabelledEnum):
    """Which records an audience may receive, checked against the actor and the case."""

    OWN_CASES = (
        "own_cases",
        "Ses propres dossiers",
        "Own cases",
        f"{_SOP} §5.1 L876; §6.1.2 L1142",
    )
    TEAM = (
        "team",
        "Dossiers de ses subordonnés directs",
        "Cases of direct reports",
        f"{_SOP} §6.3 L1195",
    )
    REFERRAL_RECIPIENT = (
        "referral_recipient",
        "Destinataire d'un référencement enregistré",
        "Recipient of a recorded referral",
        f"{_SOP} §3.4.2.3 L598",
    )
    TRANSFER_RECIPIENT = (
        "transfer_recipient",
        "Destinataire d'un transfert enregistré",
        "Recipient of a recorded transfer",
        f"{_SOP} §3.4.2 L559",
    )
    OWN_FILE = ("own_file", "Son propre dossier", "Own file", f"{_CM} L773")
    ORGANISATION = (
        "organisation",
        "Dossiers de son organisation",
        "Cases of own organisation",
        f"{_SOP} §6.3 L1195",
    )
    REGION = ("region", "Dossiers de sa région", "Cases of own region", f"{_SOP} §3.2 L320")
    NATIONAL = ("national", "Tous les dossiers", "All cases", f"{_SOP} §6.3 L1195")


class ConsentNeed(LabelledEnum):
    """Whether disclosure needs a valid consent (or a recorded override)."""

    REQUIRED = (
        "required",
        "Consentement éclairé requis",
        "Informed consent required",
        f"{_SOP} §5.1.2 L900; §3.4.2.3 L594",
    )
    NOT_REQUIRED = (
        "not_required",
        "Pas de consentement requis (accès interne ou anonymisé)",
        "No consent needed (internal or anonymised access)",
        f"{_SOP} §6.3 L1195",
    )


class DataClass(LabelledEnum):
    """Sensitivity class of a field; rules redact whole classes."""

    NAME = (
        "name",
        "Nom de l'enfant",
        "Child's name",
        f"{_SOP} §6.1.2 L1142",
    )
    IDENTIFYING = (
        "identifying",
        "Données identifiantes (date de naissance, lieu, documents)",
        "Identifying data (date of birth, location, documents)",
        f"{_CM} L1066",
    )
    CONTACT = (
        "contact",
        "Coordonnées (téléphone, adresse)",
        "Contact details (phone, address)",
        f"{_SOP} §3.4.2.3 L601",
    )
    THIRD_PARTY = (
        "third_party",
        "Données personnelles de tiers (signalant, auteur présumé, sources)",
        "Third parties' personal data (reporter, alleged perpetrator, sources)",
        f"{_CM} L773",
    )
    STRICTLY_CONFIDENTIAL = (
        "strictly_confidential",
        "Section « strictement confidentiel »",
        "'Strictly confidential' section",
        f"{_CM} L763",
    )
    FREE_TEXT = (
        "free_text",
        "Texte libre (notes, commentaires)",
        "Free text (notes, comments)",
        f"{_SOP} §3.4.2.3 L599 (informations nécessaires uniquement)",
    )
    OWN_VOICE = (
        "own_voice",
        "Paroles de l'enfant et de la famille (opinions, retours)",
        "The child's and family's own words (opinions, feedback)",
        f"{_SOP} §2 L291 (avis de l'enfant et de la famille)",
    )
    REFERENCE = (
        "reference",
        "Références internes (identifiants du personnel, des services, des formulaires)",
        "Internal references (staff, service and form identifiers)",
        "requirements §4.0 common header [INFERRED]",
    )


_E = TypeVar("_E", bound=LabelledEnum)


def code_member(enum: type[_E], code: str) -> _E:
    """The member of ``enum`` whose code is ``code`` (``ValueError`` naming the enum if none)."""
    for member in enum:
        if member.value == code:
            return member
    raise ValueError(f"{enum.__name__}: unknown code {code!r}")


_CONFIG = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class _Model(BaseModel):
    model_config = _CONFIG


def _split_path(ref: str) -> tuple[str, str]:
    form, sep, path = ref.partition(":")
    if not sep or not form or not path:
        raise ValueError(f"field reference {ref!r} must look like 'FORM:field' (e.g. '1.B:sex')")
    return form, path


class FieldClassification(_Model):
    """The fields (``FORM:path``, e.g. ``1.B:child_name``) that belong to one data class."""

    data_class: DataClass
    fields: tuple[str, ...]

    @field_validator("fields")
    @classmethod
    def _refs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ref in value:
            _split_path(ref)
        return value


class FormGrant(_Model):
    """A form (``"*"`` for every form) and its visible top-level fields (``"*"`` for all)."""

    form: str = Field(min_length=1)
    fields: tuple[str, ...] = Field(min_length=1)


def _grants(value: Any) -> Any:
    """Accept the TOML shape ``{"1.B" = ["sex", "age"]}`` as well as a list of grants."""
    if isinstance(value, Mapping):
        return [{"form": k, "fields": v} for k, v in value.items()]
    return value


class ServiceGrant(_Model):
    """Extra fields shown to a provider for one requested service type (minimum necessary)."""

    service: str = Field(min_length=1)
    forms: tuple[FormGrant, ...]

    _forms = field_validator("forms", mode="before")(_grants)


class SharingRule(_Model):
    """One cell of the matrix: what ``audience`` sees for ``purpose``, and why (``citation``)."""

    audience: Audience
    purpose: Purpose
    view: ViewKind
    scope: AccessScope
    consent: ConsentNeed = ConsentNeed.NOT_REQUIRED
    forms: tuple[FormGrant, ...] = ()
    services: tuple[ServiceGrant, ...] = ()
    redact: tuple[DataClass, ...] = ()
    requires_form: str | None = None
    enabled: bool = True
    citation: str = Field(min_length=1)

    _forms = field_validator("forms", mode="before")(_grants)

    @field_validator("services", mode="before")
    @classmethod
    def _services(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return [{"service": k, "forms": v} for k, v in value.items()]
        return value

    @model_validator(mode="after")
    def _invariants(self) -> Self:
        aud = self.audience
        if aud in _AGGREGATE_AUDIENCES and (self.view is not ViewKind.AGGREGATE or self.forms):
            raise ValueError(f"audience {aud.value} may only receive aggregates (SOP §6.3 L1195)")
        if self.view is ViewKind.AGGREGATE and aud not in _AGGREGATE_AUDIENCES:
            raise ValueError(f"audience {aud.value} cannot have an aggregate view")
        if (
            aud not in PRIVILEGED_AUDIENCES
            and self.view is not ViewKind.AGGREGATE
            and DataClass.STRICTLY_CONFIDENTIAL not in self.redact
        ):
            raise ValueError(
                f"audience {aud.value} must redact strictly_confidential (course L763)"
            )
        anonymous = (self.view is ViewKind.LIST and aud is not Audience.CASEWORKER) or (
            aud is Audience.MEETING
        )
        if anonymous and DataClass.NAME not in self.redact:
            raise ValueError(
                "only the caseworker's lists show names; other lists and meetings must redact "
                "names (SOP §6.1.2 L1142)"
            )
        if aud is Audience.MEETING and DataClass.IDENTIFYING not in self.redact:
            raise ValueError("meetings must redact identifying data (course L1066)")
        if aud is Audience.CHILD_FAMILY and DataClass.THIRD_PARTY not in self.redact:
            raise ValueError("a child's own file must redact third parties (course L773)")
        if self.services and aud is not Audience.PROVIDER:
            raise ValueError("per-service grants apply to providers only")
        return self


class StatisticsPolicy(_Model):
    """Statistics settings: small-cell threshold and age bands (not from the seeds)."""

    min_cell: int = Field(default=5, ge=1)
    age_bands: tuple[tuple[int, int], ...] = ((0, 4), (5, 9), (10, 14), (15, 17))
    citation: str = (
        "Not from the seeds: small-cell threshold 5 and UN five-year age bands are common "
        "statistical-disclosure practice (requirements §9.5 [INFERRED])."
    )

    @field_validator("age_bands")
    @classmethod
    def _bands(cls, value: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        previous = -1
        for low, high in value:
            if low != previous + 1 or high < low:
                raise ValueError("age bands must be contiguous [low, high] pairs from 0")
            previous = high
        return value


class PurposeScopes(_Model):
    """The 1.A consent scopes (any of them) that cover one purpose."""

    purpose: Purpose
    scopes: tuple[ConsentScope, ...] = Field(min_length=1)


class ConsentPolicy(_Model):
    """Consent and assent thresholds, NOT FROM THE SEEDS (see :mod:`.consent`).

    The seeds give no ages (requirements §6.5, course §6.1). Defaults follow common inter-agency
    practice: from ``assent_from_age`` the child's informed assent is sought with caregiver
    consent; from ``child_consent_from_age`` the adolescent consents for themself and caregiver
    consent is sought only where safe and appropriate; caregivers who are the alleged
    perpetrator are never asked.
    """

    assent_from_age: int = Field(default=6, ge=0, le=18)
    child_consent_from_age: int = Field(default=15, ge=0, le=18)
    adult_age: int = Field(default=18, ge=1, le=21)
    default_validity_days: int | None = Field(default=365, ge=1)
    require_named_recipient: bool = True
    purpose_scopes: tuple[PurposeScopes, ...] = (
        PurposeScopes(purpose=Purpose.REFERRAL, scopes=(ConsentScope.REFERRAL_TO_SERVICES,)),
        PurposeScopes(purpose=Purpose.TRANSFER, scopes=(ConsentScope.TRANSFER,)),
    )
    not_from_the_seeds: bool = True
    citation: str = (
        "NOT FROM THE SEEDS: the Mali SOP 2020 data protocol (Annexe 5) is absent and the course "
        "gives no ages (requirements §6.5; course §6.1). Defaults follow common inter-agency "
        "practice (requirements §4.1 [INFERRED]: <12 caregiver consent + child assent; 12-14 "
        "assent + caregiver consent; 15-17 child consent, caregiver if safe)."
    )

    @field_validator("purpose_scopes", mode="before")
    @classmethod
    def _scopes(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return [{"purpose": k, "scopes": v} for k, v in value.items()]
        return value

    def scopes_for(self, purpose: Purpose) -> frozenset[ConsentScope]:
        """Consent scopes any of which covers ``purpose`` (empty: no consent can cover it)."""
        for row in self.purpose_scopes:
            if row.purpose is purpose:
                return frozenset(row.scopes)
        return frozenset()

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.assent_from_age <= self.child_consent_from_age <= self.adult_age:
            raise ValueError(
                "ages must satisfy assent_from_age <= child_consent_from_age <= adult_age"
            )
        return self


class PolicyHeader(_Model):
    """The ``[profile]`` table: identity and sources of a sharing policy."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title_fr: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    sources: tuple[str, ...] = ()


class SharingPolicy(_Model):
    """A whole sharing policy: the matrix, field classes, consent and statistics settings."""

    profile: PolicyHeader
    data_classes: tuple[FieldClassification, ...] = ()
    rules: tuple[SharingRule, ...]
    consent: ConsentPolicy = Field(default_factory=lambda: ConsentPolicy())
    statistics: StatisticsPolicy = Field(default_factory=lambda: StatisticsPolicy())

    @field_validator("data_classes", mode="before")
    @classmethod
    def _classes(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return [{"data_class": k, "fields": v} for k, v in value.items()]
        return value

    @model_validator(mode="after")
    def _unique_rules(self) -> Self:
        seen: set[tuple[Audience, Purpose]] = set()
        for i, rule in enumerate(self.rules):
            key = (rule.audience, rule.purpose)
            if key in seen:
                raise ValueError(
                    f"rules[{i}]: a second rule for audience={key[0].value} purpose={key[1].value}"
                )
            seen.add(key)
        return self

    def rule(self, audience: Audience, purpose: Purpose) -> SharingRule | None:
        """The rule for ``audience`` and ``purpose`` (``None``: nothing is permitted)."""
        for rule in self.rules:
            if rule.audience is audience and rule.purpose is purpose:
                return rule
        return None

    def fields_of(self, data_class: DataClass) -> frozenset[tuple[str, str]]:
        """``(form_code, path)`` pairs classified as ``data_class``."""
        out: set[tuple[str, str]] = set()
        for entry in self.data_classes:
            if entry.data_class is data_class:
                out.update(_split_path(ref) for ref in entry.fields)
        return frozenset(out)

    def derive(self, **changes: Any) -> SharingPolicy:
        """A validated copy with top-level ``changes`` (``model_copy`` would skip validation)."""
        return type(self).model_validate(self.model_dump() | changes)


# --- loading -----------------------------------------------------------------------------------

_PROFILES = "cpcase.rules.sharing.profiles"


def list_sharing_policies() -> tuple[str, ...]:
    """Names of the shipped sharing policies (the TOML files in ``profiles/``)."""
    root = resources.files(_PROFILES)
    return tuple(sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml")))


def _read_shipped(name: str) -> tuple[str, str]:
    if name not in list_sharing_policies():
        raise UnknownProfileError(
            f"no sharing policy named {name!r}; shipped: {', '.join(list_sharing_policies())}"
        )
    return resources.files(_PROFILES).joinpath(f"{name}.toml").read_text("utf-8"), f"{name}.toml"


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Override ``base`` with ``over``: rules replace by (audience, purpose), tables merge."""
    out = dict(base)
    for key, value in over.items():
        if key == "rules" and isinstance(value, list) and isinstance(base.get("rules"), list):
            rules = list(base["rules"])
            for new in value:
                ident = (
                    (new.get("audience"), new.get("purpose")) if isinstance(new, dict) else None
                )
                for i, old in enumerate(rules):
                    if (old.get("audience"), old.get("purpose")) == ident:
                        rules[i] = new
                        break
                else:
                    rules.append(new)
            out["rules"] = rules
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = {**base[key], **value}
        else:
            out[key] = value
    return out


def _error_key(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    """A TOML-ish key for a pydantic error location: ``rules[3] (audience=…).consent``."""
    parts: list[str] = []
    section = loc[0] if loc else None
    for i, item in enumerate(loc):
        if isinstance(item, int) and i == 1 and section == "data_classes":
            classes = data.get("data_classes")
            keys = list(classes) if isinstance(classes, dict) else []
            parts.append(f"data_classes.{keys[item]}" if item < len(keys) else f"[{item}]")
            parts.pop(-2)
        elif isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            rules = data.get("rules")
            if i == 1 and section == "rules" and isinstance(rules, list) and item < len(rules):
                rule = rules[item]
                if isinstance(rule, dict):
                    aud, pur = rule.get("audience"), rule.get("purpose")
                    parts[-1] += f" (audience={aud}, purpose={pur})"
        else:
            parts.append(str(item))
    return ".".join(parts) or "(policy)"


def _validate(data: dict[str, Any], source: str) -> SharingPolicy:
    try:
        return SharingPolicy.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{_error_key(err['loc'], data)}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        ]
        raise PolicyError(f"{source}: " + "; ".join(problems)) from None


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None


def _resolve(
    data: dict[str, Any], source: str, base_dir: Path | None, depth: int
) -> dict[str, Any]:
    header = data.get("profile")
    parent = header.pop("extends", None) if isinstance(header, dict) else None
    if parent is None:
        return data
    if depth > 8:
        raise PolicyError(f"{source}: profile.extends: chain too long (a cycle?)")
    if not isinstance(parent, str):
        raise PolicyError(f"{source}: profile.extends: must be a policy name or a file path")
    candidate = (base_dir / parent) if base_dir is not None else Path(parent)
    if parent.endswith(".toml") and candidate.is_file():
        text, parent_source = candidate.read_text("utf-8"), str(candidate)
        parent_dir: Path | None = candidate.parent
    else:
        text, parent_source = _read_shipped(parent)
        parent_dir = None
    base = _resolve(_parse(text, parent_source), parent_source, parent_dir, depth + 1)
    return _merge(base, data)


def _reference_problems(policy: SharingPolicy) -> list[str]:
    """Every reference to a form, field or service the catalogue does not have."""
    index = field_index()
    services = {c.value for c in ServiceCategory}
    problems: list[str] = []

    def grant(key: str, g: FormGrant) -> None:
        if g.form == "*":
            if g.fields != ("*",):
                problems.append(f'{key}.*: the every-form grant must list fields ["*"]')
            return
        if g.form not in index:
            problems.append(f"{key}: no form {g.form!r} in the catalogue")
            return
        for name in g.fields:
            if name != "*" and name not in top_level_fields(g.form):
                problems.append(f"{key}.{g.form}: form {g.form} has no field {name!r}")

    for i, rule in enumerate(policy.rules):
        key = f"rules[{i}] (audience={rule.audience.value}, purpose={rule.purpose.value})"
        for g in rule.forms:
            grant(f"{key}.forms", g)
        for sg in rule.services:
            if sg.service not in services:
                problems.append(f"{key}.services: {sg.service!r} is not a service category")
            for g in sg.forms:
                grant(f"{key}.services.{sg.service}", g)
        if rule.requires_form is not None and rule.requires_form not in index:
            problems.append(f"{key}.requires_form: no form {rule.requires_form!r}")
    for entry in policy.data_classes:
        for ref in entry.fields:
            form, path = _split_path(ref)
            if path not in index.get(form, frozenset()):
                problems.append(f"data_classes.{entry.data_class.value}: no field {ref!r}")
    return problems


def sharing_policy_from_toml(
    text: str, *, source: str = "<policy>", base_dir: Path | None = None
) -> SharingPolicy:
    """Parse and validate a sharing policy; ``extends`` merges it over a parent policy.

    Errors are :class:`~cpcase.errors.PolicyError` naming the source and the key, e.g.
    ``my.toml: rules[2] (audience=provider, purpose=referral).consent: Input should be ...``.
    """
    data = _resolve(_parse(text, source), source, base_dir, 0)
    policy = _validate(data, source)
    problems = _reference_problems(policy)
    if problems:
        raise PolicyError(f"{source}: " + "; ".join(problems))
    return policy


def load_sharing_policy(name_or_path: str | Path = "mali-2020") -> SharingPolicy:
    """Load a shipped policy by name (``"mali-2020"``) or a deployment's TOML file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml":
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read policy file ({exc.strerror})") from None
        return sharing_policy_from_toml(text, source=str(path), base_dir=path.parent)
    text, source = _read_shipped(str(name_or_path))
    return sharing_policy_from_toml(text, source=source)
