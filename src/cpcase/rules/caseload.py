"""Caseload and supervision ratios, staffing need and assignment (SOP §3.3.1; course L707–L736).

Ratios come from the policy (``[caseload]``): Mali 25 open cases per caseworker and 5–6
caseworkers per supervisor (SOP L377–L378); the CM Guidelines course the same (L707, L736); GBV
case management 15 active cases (20 at most) and 1 supervisor for 5 (8 at most) (GBV L9).

Status of a load against a ``target`` and a ``max``:

- ``ok``: at or below the target;
- ``above_target``: above the target, below the maximum;
- ``at_limit``: exactly at the maximum (allowed, but no room for one more);
- ``over``: above the maximum.

>>> from cpcase.rules.policy import load_profile
>>> caseworker_load(26, load_profile("mali-2020")).status.value
'over'
>>> gbv = load_profile("gbv-2019")
>>> [caseworker_load(n, gbv).status.value for n in (15, 16, 20, 21)]
['ok', 'above_target', 'at_limit', 'over']
>>> staffing_need(130, policy=gbv, caseworkers=6, supervisors=1).caseworkers_to_add
3
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

import attrs

from cpcase.labels import LabelledEnum
from cpcase.rules.policy import Policy
from cpcase.rules.reasons import Reason

__all__ = [
    "AssignmentDecision",
    "AssignmentSuggestion",
    "CaseAssignment",
    "CaseloadReport",
    "LoadCheck",
    "LoadStatus",
    "StaffingNeed",
    "caseload_report",
    "caseworker_load",
    "check_assignment",
    "staffing_need",
    "suggest_assignment",
    "supervisor_span",
]


class LoadStatus(LabelledEnum):
    """A load against its target and maximum."""

    OK = ("ok", "Dans la norme", "Within the norm", "cpcase")
    ABOVE_TARGET = (
        "above_target",
        "Au-dessus de la cible, sous le maximum",
        "Above the target, below the maximum",
        "GBV key actions L9 (cible 15, maximum 20)",
    )
    AT_LIMIT = ("at_limit", "Au maximum", "At the maximum", "cpcase")
    OVER = ("over", "Au-delà du maximum", "Over the maximum", "cpcase")


@attrs.frozen
class LoadCheck:
    """One caseworker's open cases, or one supervisor's caseworkers, against the ratio."""

    who: str
    count: int
    target: int
    maximum: int
    status: LoadStatus
    rule: str
    reasons: tuple[Reason, ...]

    @property
    def capacity(self) -> int:
        """How many more fit before reaching the maximum (0 when at or over it)."""
        return max(0, self.maximum - self.count)

    @property
    def within_limit(self) -> bool:
        """True unless the maximum is exceeded."""
        return self.status is not LoadStatus.OVER


def _status(count: int, target: int, maximum: int) -> LoadStatus:
    if count > maximum:
        return LoadStatus.OVER
    if count == maximum:
        return LoadStatus.AT_LIMIT
    return LoadStatus.OK if count <= target else LoadStatus.ABOVE_TARGET


def _check(who: str, count: int, policy: Policy, kind: str) -> LoadCheck:
    if count < 0:
        raise ValueError(f"{who}: a load cannot be negative")
    prefix = f"caseload.{kind}"
    target = policy.lookup(f"{prefix}_target").value
    maximum = policy.lookup(f"{prefix}_max").value
    status = _status(count, target, maximum)
    noun_fr, noun_en = (
        ("dossiers ouverts", "open cases")
        if kind == "cases_per_caseworker"
        else ("gestionnaires de cas", "caseworkers")
    )
    reason = Reason(
        f"load_{status.value}",
        f"{count} {noun_fr} (cible {target}, maximum {maximum}) : {status.label_fr.lower()}",
        f"{count} {noun_en} (target {target}, maximum {maximum}): {status.label_en.lower()}",
        f"{prefix}_max"
        if status in (LoadStatus.OVER, LoadStatus.AT_LIMIT)
        else f"{prefix}_target",
    )
    return LoadCheck(who, count, target, maximum, status, reason.rule or prefix, (reason,))


def caseworker_load(open_cases: int, policy: Policy, *, caseworker: str = "") -> LoadCheck:
    """A caseworker's open cases against ``caseload.cases_per_caseworker_*``."""
    return _check(caseworker, open_cases, policy, "cases_per_caseworker")


def supervisor_span(caseworkers: int, policy: Policy, *, supervisor: str = "") -> LoadCheck:
    """A supervisor's caseworkers against ``caseload.caseworkers_per_supervisor_*``."""
    return _check(supervisor, caseworkers, policy, "caseworkers_per_supervisor")


@attrs.frozen
class StaffingNeed:
    """Staff needed for an open caseload: at the target ratios, and at the maxima (minimum)."""

    open_cases: int
    caseworkers: int
    supervisors: int
    caseworkers_needed: int
    caseworkers_minimum: int
    supervisors_needed: int
    supervisors_minimum: int

    @property
    def caseworkers_to_add(self) -> int:
        """Caseworkers to recruit to reach the target ratio."""
        return max(0, self.caseworkers_needed - self.caseworkers)

    @property
    def supervisors_to_add(self) -> int:
        """Supervisors to recruit for the caseworkers needed, at the target span."""
        return max(0, self.supervisors_needed - self.supervisors)


def staffing_need(
    open_cases: int, *, policy: Policy, caseworkers: int = 0, supervisors: int = 0
) -> StaffingNeed:
    """Caseworkers and supervisors needed for ``open_cases`` (course L736: compare the ratios).

    Supervisors are counted for the caseworkers *needed* (or present, if more).
    """
    if min(open_cases, caseworkers, supervisors) < 0:
        raise ValueError("counts cannot be negative")
    c = policy.caseload
    cw_needed = math.ceil(open_cases / c.cases_per_caseworker_target.value)
    cw_min = math.ceil(open_cases / c.cases_per_caseworker_max.value)
    staff = max(cw_needed, caseworkers)
    return StaffingNeed(
        open_cases=open_cases,
        caseworkers=caseworkers,
        supervisors=supervisors,
        caseworkers_needed=cw_needed,
        caseworkers_minimum=cw_min,
        supervisors_needed=math.ceil(staff / c.caseworkers_per_supervisor_target.value),
        supervisors_minimum=math.ceil(
            max(cw_min, caseworkers) / c.caseworkers_per_supervisor_max.value
        ),
    )


@attrs.frozen
class AssignmentSuggestion:
    """The caseworker to give a new case to, or ``None`` when nobody has room."""

    caseworker: str | None
    ranking: tuple[LoadCheck, ...]
    reasons: tuple[Reason, ...]


def suggest_assignment(
    loads: Mapping[str, int], policy: Policy, *, exclude: Iterable[str] = ()
) -> AssignmentSuggestion:
    """The caseworker with the most room below the maximum (ties: the smaller identifier).

    ``loads`` maps caseworker ids to their open cases; ``exclude`` removes caseworkers (conflict
    of interest, competence; course L324, SOP L372). Nobody is suggested past the maximum.
    """
    skip = set(exclude)
    checks = sorted(
        (caseworker_load(n, policy, caseworker=cw) for cw, n in loads.items() if cw not in skip),
        key=lambda ch: (ch.count, ch.who),
    )
    for check in checks:
        if check.count + 1 <= check.maximum:
            after = caseworker_load(check.count + 1, policy, caseworker=check.who)
            reason = Reason(
                "least_loaded_with_room",
                f"{check.who} : {check.count} dossiers, {after.count} après affectation "
                f"(maximum {check.maximum})",
                f"{check.who}: {check.count} cases, {after.count} after assignment "
                f"(maximum {check.maximum})",
                "caseload.cases_per_caseworker_max",
            )
            return AssignmentSuggestion(check.who, tuple(checks), (reason,))
    reason = Reason(
        "no_caseworker_with_room",
        "Aucun gestionnaire de cas sous le maximum : recruter ou dépasser avec justification",
        "No caseworker below the maximum: recruit, or override with a reason",
        "caseload.cases_per_caseworker_max",
    )
    return AssignmentSuggestion(None, tuple(checks), (reason,))


@attrs.frozen
class AssignmentDecision:
    """Whether a case may go to a caseworker; beyond the maximum it needs a written reason."""

    caseworker: str
    allowed: bool
    overridden: bool
    load_after: LoadCheck
    override_reason: str | None
    reasons: tuple[Reason, ...]


def check_assignment(
    caseworker: str,
    current_load: int,
    policy: Policy,
    *,
    override_reason: str | None = None,
) -> AssignmentDecision:
    """Check giving one more case to ``caseworker`` (course §5.1: no silent pass over the cap).

    Over the maximum the assignment is refused unless ``override_reason`` is given and the
    policy's ``caseload.over_limit`` is ``"warn"``; with ``"block"`` it is refused outright.
    """
    after = caseworker_load(current_load + 1, policy, caseworker=caseworker)
    if after.within_limit:
        return AssignmentDecision(
            caseworker,
            allowed=True,
            overridden=False,
            load_after=after,
            override_reason=None,
            reasons=after.reasons,
        )
    mode = policy.caseload.over_limit.value
    text = (override_reason or "").strip()
    if mode == "block":
        reason = Reason(
            "over_limit_blocked",
            "Affectation refusée : le profil interdit de dépasser le maximum",
            "Assignment refused: the profile forbids exceeding the maximum",
            "caseload.over_limit",
        )
        return AssignmentDecision(
            caseworker,
            allowed=False,
            overridden=False,
            load_after=after,
            override_reason=None,
            reasons=(*after.reasons, reason),
        )
    if not text:
        reason = Reason(
            "override_reason_required",
            "Dépassement du maximum : une justification écrite est obligatoire",
            "Over the maximum: a written reason is required",
            "caseload.over_limit",
        )
        return AssignmentDecision(
            caseworker,
            allowed=False,
            overridden=False,
            load_after=after,
            override_reason=None,
            reasons=(*after.reasons, reason),
        )
    reason = Reason(
        "over_limit_overridden",
        "Dépassement du maximum accepté avec justification",
        "Over the maximum, accepted with a reason",
        "caseload.over_limit",
    )
    return AssignmentDecision(
        caseworker,
        allowed=True,
        overridden=True,
        load_after=after,
        override_reason=text,
        reasons=(*after.reasons, reason),
    )


@attrs.frozen
class CaseAssignment:
    """Who holds an open case: its caseworker and (if known) the caseworker's supervisor."""

    case_code: str
    caseworker: str | None
    supervisor: str | None = None


@attrs.frozen
class CaseloadReport:
    """Caseworkers' loads and supervisors' spans against the ratios, plus staffing need."""

    caseworkers: tuple[LoadCheck, ...]
    supervisors: tuple[LoadCheck, ...]
    unassigned: tuple[str, ...]
    staffing: StaffingNeed

    @property
    def over(self) -> tuple[LoadCheck, ...]:
        """Every caseworker and supervisor over the maximum."""
        return tuple(c for c in (*self.caseworkers, *self.supervisors) if not c.within_limit)


def caseload_report(assignments: Iterable[CaseAssignment], policy: Policy) -> CaseloadReport:
    """Loads per caseworker and spans per supervisor for open cases (SOP L377–L378).

    A supervisor's span is the number of distinct caseworkers holding cases under them. Cases
    without a caseworker are listed in ``unassigned`` (never dropped).
    """
    cases: dict[str, int] = defaultdict(int)
    team: dict[str, set[str]] = defaultdict(set)
    unassigned: list[str] = []
    total = 0
    for a in assignments:
        total += 1
        if not a.caseworker:
            unassigned.append(a.case_code)
            continue
        cases[a.caseworker] += 1
        if a.supervisor:
            team[a.supervisor].add(a.caseworker)
    cw = tuple(caseworker_load(n, policy, caseworker=w) for w, n in sorted(cases.items()))
    sv = tuple(supervisor_span(len(t), policy, supervisor=s) for s, t in sorted(team.items()))
    need = staffing_need(total, policy=policy, caseworkers=len(cw), supervisors=len(sv))
    return CaseloadReport(cw, sv, tuple(unassigned), need)
