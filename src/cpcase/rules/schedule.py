"""Deadlines and tasks: ``schedule(case, policy, today)`` lists everything due on a case file.

Pure: no I/O and no clock. ``today`` is a date, or a datetime when hour-based clocks (24 h, 48 h,
72 h) should be checked to the minute. Every :class:`Task` names the policy key that produced it
(``task.rule``; ``policy.lookup(task.rule)`` gives the value and its citation).

What is scheduled (Mali SOP §4.3 and §5; course timetable T1–T20):

- the step deadlines by risk level: initial assessment (and the interagency 48 h limit), full
  assessment (start and completion), case plan, plan validation;
- recurring follow-up contacts and reviews by risk level (each due one interval after the
  previous one; the first after the anchor event of ``deadlines.follow_up`` / ``.review``);
- the deadline of each activity of the current plan (``tasks.plan_activities``);
- the emergency clocks: police requisition (72 h), emergency shelter stay (72 h), home visit the
  day after a health discharge, HCR transit stays (3 / 14 days), daily contact in a safe house;
- referrals without a counter-referral after ``referrals.counter_referral_after``;
- a closure review after ``closure.inactivity`` without activity; the earliest closure date of a
  child lost to follow-up (``closure.lost_to_follow_up_min``); the 18th birthday; post-closure
  visits (``closure.post_closure_visit``);
- at risk "none", the SOP's directives instead of deadlines: closure recommended (full
  assessment) and community follow-up (plan); they are advisory (never overdue).

Status: ``done_on_time`` / ``done_late`` when the completing event is recorded; otherwise
``overdue`` after the due date, ``due`` from ``tasks.due_soon`` before it, else ``upcoming``.
Advisory and "not before" tasks are ``due`` from their date and never ``overdue``.

**Risk changes** (requirements §9.2, ``[risk_change]``). A deadline starts with the level in force
at its anchor event. A level recorded later, before the task was done, applies as follows:

- raising the level adds the new level's deadline, counted from the original anchor (default) or
  from the change, and the *earliest* deadline in force counts: **escalation never postpones a
  deadline**;
- lowering the level (default ``keep``) leaves the pending deadline as it is; the lower level
  applies to the next tasks (e.g. the next follow-up interval). With ``change_time`` (the
  requirements' suggestion) or ``original_anchor``, a lowering made before the deadline releases
  the higher levels' deadlines and counts the lower one from the change / the anchor; the
  deadline the lower level already had before a temporary escalation still holds;
- lowering to none before the deadline turns the step into the none-row directive (closure
  recommended, community follow-up);
- nothing recorded after a deadline has passed forgives it, and a level decided on the day a
  task was completed does not apply to that task (the initial assessment sets the level; its
  own deadline uses the level perceived at registration).

Emergency episodes (requisition, shelter stay, HCR transit, safe house) have no harmonised form;
pass them as :class:`EmergencyEpisode` values. A health discharge is also read from the
counter-referral of an emergency referral (SOP L832: filled when the child is not kept).

>>> import datetime as dt
>>> from cpcase.case import CaseFile
>>> from cpcase.rules.policy import load_profile
>>> case = CaseFile(case_code="ML-MOP-ORG-2026-00042", organisation_id="ORG")
>>> schedule(case, load_profile("mali-2020"), dt.date(2026, 3, 1))
()
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from cpcase.case import CaseFile
from cpcase.labels import LabelledEnum
from cpcase.rules._facts import age_limit_date, closed_on, last_activity_on, risk_timeline
from cpcase.rules.calendars import Duration
from cpcase.rules.policy import AnchorEvent, Cited, Directive, Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import CaseStatus, RiskLevel
from cpcase.vocab.services import (
    ActivityStatus,
    ClosureReason,
    FollowUpContactType,
    FollowUpType,
    ReferralStatus,
    ReferralType,
)

__all__ = [
    "CADENCES",
    "CadenceCheck",
    "EmergencyEpisode",
    "EpisodeKind",
    "Task",
    "TaskKind",
    "TaskStatus",
    "by_urgency",
    "cadence_check",
    "pending",
    "schedule",
]

_SOP = "Mali SOP 2020"


class TaskKind(LabelledEnum):
    """What a task asks for."""

    INITIAL_ASSESSMENT = (
        "initial_assessment",
        "Évaluation initiale",
        "Initial assessment",
        f"{_SOP} §4.3 L744",
    )
    INITIAL_ASSESSMENT_LIMIT = (
        "initial_assessment_limit",
        "Évaluation initiale (délai maximum)",
        "Initial assessment (absolute limit)",
        "CM course L906",
    )
    FULL_ASSESSMENT_START = (
        "full_assessment_start",
        "Début de l'évaluation approfondie",
        "Start of the full assessment",
        "CM course L929",
    )
    FULL_ASSESSMENT = (
        "full_assessment",
        "Évaluation approfondie",
        "Full assessment",
        f"{_SOP} §4.3 L745",
    )
    CASE_PLAN = ("case_plan", "Plan de prise en charge", "Case plan", f"{_SOP} §4.3 L746")
    PLAN_VALIDATION = (
        "plan_validation",
        "Validation du plan par le superviseur",
        "Plan validation by the supervisor",
        f"{_SOP} §5.3 L1058–L1060",
    )
    FOLLOW_UP = ("follow_up", "Visite / contact de suivi", "Follow-up contact", f"{_SOP} L747")
    REVIEW = ("review", "Revue du cas", "Case review", f"{_SOP} §4.3 L748")
    PLAN_ACTIVITY = (
        "plan_activity",
        "Activité du plan (échéance)",
        "Plan activity (deadline)",
        f"{_SOP} §5.3 b) L1019",
    )
    CLOSURE_RECOMMENDED = (
        "closure_recommended",
        "Risque nul : clôture du cas recommandée",
        "No risk: case closure recommended",
        f"{_SOP} §4.3 L745",
    )
    COMMUNITY_FOLLOW_UP = (
        "community_follow_up",
        "Risque nul : suivi par les mécanismes communautaires",
        "No risk: follow-up by community mechanisms",
        f"{_SOP} §4.3 L746",
    )
    REQUISITION = (
        "requisition",
        "Délivrance de la réquisition (72 h)",
        "Police requisition delivered (72 h)",
        f"{_SOP} L818",
    )
    EMERGENCY_SHELTER_EXIT = (
        "emergency_shelter_exit",
        "Fin de l'hébergement provisoire d'urgence",
        "End of the emergency shelter stay",
        f"{_SOP} L902",
    )
    POST_DISCHARGE_VISIT = (
        "post_discharge_visit",
        "Visite à domicile le lendemain de la sortie",
        "Home visit the day after discharge",
        f"{_SOP} L840",
    )
    HCR_TRANSIT_EXIT = (
        "hcr_transit_exit",
        "Fin du séjour en centre de transit (HCR)",
        "End of the transit-centre stay (UNHCR)",
        f"{_SOP} L883",
    )
    SAFE_HOUSE_CONTACT = (
        "safe_house_contact",
        "Appel quotidien à l'enfant en maison sécurisée",
        "Daily call to the child in a safe house",
        "CM course L1047",
    )
    COUNTER_REFERRAL = (
        "counter_referral",
        "Contre-référence attendue",
        "Counter-referral expected",
        f"{_SOP} L558, L598",
    )
    INACTIVITY_CLOSURE_REVIEW = (
        "inactivity_closure_review",
        "Dossier inactif : proposer la clôture",
        "Inactive file: propose closure",
        f"{_SOP} §5.6 L1102",
    )
    LOST_TO_FOLLOW_UP_CLOSURE = (
        "lost_to_follow_up_closure",
        "Perdu de vue : clôture possible à partir de cette date",
        "Lost to follow-up: closure possible from this date",
        f"{_SOP} §5.6 L1111",
    )
    AGE_LIMIT = (
        "age_limit",
        "L'enfant atteint 18 ans : clôture ou transition",
        "The child turns 18: closure or transition",
        "CM course L171; Mali SOP L83",
    )
    POST_CLOSURE_VISIT = (
        "post_closure_visit",
        "Visite de contrôle après la clôture",
        "Check visit after closure",
        "CM course L1107",
    )


class TaskStatus(LabelledEnum):
    """Where a task stands on ``today``."""

    OVERDUE = ("overdue", "En retard", "Overdue", "cpcase")
    DUE = ("due", "À faire maintenant", "Due", "cpcase")
    UPCOMING = ("upcoming", "À venir", "Upcoming", "cpcase")
    DONE_LATE = ("done_late", "Fait en retard", "Done late", "cpcase")
    DONE_ON_TIME = ("done_on_time", "Fait dans les délais", "Done on time", "cpcase")


_PENDING = frozenset({TaskStatus.OVERDUE, TaskStatus.DUE, TaskStatus.UPCOMING})
_ADVISORY = frozenset(
    {
        TaskKind.CLOSURE_RECOMMENDED,
        TaskKind.COMMUNITY_FOLLOW_UP,
        TaskKind.LOST_TO_FOLLOW_UP_CLOSURE,
    }
)
_URGENCY = {s: i for i, s in enumerate(TaskStatus)}


@attrs.frozen
class Task:
    """One due item of a case: what, by when, where it stands, and the rule behind it."""

    case_code: str
    kind: TaskKind
    due: dt.date
    status: TaskStatus
    rule: str
    due_at: dt.datetime | None = None
    risk_level: RiskLevel | None = None
    anchor: dt.date | None = None
    done_on: dt.date | None = None
    ref: str | None = None
    caseworker_id: str | None = None
    reasons: tuple[Reason, ...] = ()

    @property
    def advisory(self) -> bool:
        """True for recommendations and "not before" dates, which are never overdue."""
        return self.kind in _ADVISORY

    @property
    def pending(self) -> bool:
        """True while the task is not done (upcoming, due or overdue)."""
        return self.status in _PENDING


def pending(tasks: Iterable[Task]) -> tuple[Task, ...]:
    """Only the tasks not yet done."""
    return tuple(t for t in tasks if t.status in _PENDING)


def by_urgency(tasks: Iterable[Task]) -> list[Task]:
    """Overdue first (oldest first), then due, upcoming, and done; ties by case and kind."""
    return sorted(
        tasks,
        key=lambda t: (
            _URGENCY[t.status],
            t.due,
            t.due_at or dt.datetime.combine(t.due, _END),
            t.case_code,
        ),
    )


class EpisodeKind(LabelledEnum):
    """An emergency episode with a clock (no harmonised form records these)."""

    REQUISITION = (
        "requisition",
        "Audition / demande de réquisition (OPJ)",
        "Hearing / requisition requested (police)",
        f"{_SOP} L818",
    )
    EMERGENCY_SHELTER = (
        "emergency_shelter",
        "Hébergement provisoire d'urgence",
        "Emergency temporary shelter",
        f"{_SOP} L902, L922",
    )
    HEALTH_DISCHARGE = (
        "health_discharge",
        "Sortie de la structure de santé",
        "Discharge from the health facility",
        f"{_SOP} L840",
    )
    HCR_TRANSIT = (
        "hcr_transit",
        "Séjour en centre de transit (mandat HCR)",
        "Transit-centre stay (UNHCR mandate)",
        f"{_SOP} L883",
    )
    SAFE_HOUSE = (
        "safe_house",
        "Placement en maison sécurisée",
        "Placement in a safe house",
        "CM course L1047",
    )


@attrs.frozen
class EmergencyEpisode:
    """An emergency clock: ``started`` (date or datetime), ``ended`` when it was met.

    ``ended`` is the requisition delivery, the exit from the shelter or transit centre, the home
    visit after discharge, or the end of a safe-house placement.
    """

    kind: EpisodeKind
    started: dt.date | dt.datetime
    ended: dt.date | dt.datetime | None = None
    asylum_seeker: bool = False
    specific_needs: bool = False
    ref: str | None = None


# --- internals ----------------------------------------------------------------------------

_END = dt.time.max
_LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE)
_VISIT_TYPES = frozenset(
    {
        FollowUpContactType.HOME_VISIT,
        FollowUpContactType.UNANNOUNCED_HOME_VISIT,
        FollowUpContactType.VISIT_AT_PLACEMENT,
    }
)
_REFERRAL_DROPPED = frozenset(
    {ReferralStatus.DECLINED_BY_PROVIDER, ReferralStatus.CANCELLED, ReferralStatus.DRAFT}
)


def _split(value: dt.date | dt.datetime) -> tuple[dt.date, dt.time | None]:
    if isinstance(value, dt.datetime):
        return value.date(), value.replace(tzinfo=None).time()
    return value, None


_RANK = {level: level.rank for level in RiskLevel}  # the property rebuilds a dict per call
_DAY = 1440  # minutes; internal instants are integer minutes since day 1 (proleptic ordinal)
_EOD = _DAY - 1  # a deadline without a time means "by the end of that day"


def _key(day: dt.date, time: dt.time | None) -> int:
    """The instant ``day`` at ``time``, or the end of ``day`` when there is no time."""
    base = day.toordinal() * _DAY
    return base + time.hour * 60 + time.minute if time is not None else base + _EOD


@functools.lru_cache(maxsize=16_384)
def _add_months(ordinal: int, months: int) -> int:
    """Calendar-month addition on ordinals (day clamped to the month's end), cached."""
    start = dt.date.fromordinal(ordinal)
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, _stdcal.monthrange(year, month)[1])
    return dt.date(year, month, day).toordinal()


@attrs.frozen
class _Compiled:
    """Per-policy lookup tables, built once (see ``Policy.memo``)."""

    cells: dict[tuple[str, RiskLevel], Cited[Any]]
    anchors: dict[str, AnchorEvent]
    escalate_from_anchor: bool
    deescalation: str
    due_soon: int  # minutes
    inactive: frozenset[str]  # tables whose every cell is "not_applicable"
    simple_calendar: bool  # calendar days: date arithmetic on ordinals
    week_days: int
    thirty_day_months: bool


def _compile(policy: Policy) -> _Compiled:
    cells: dict[tuple[str, RiskLevel], Cited[Any]] = {}
    anchors: dict[str, AnchorEvent] = {}
    for name in (
        "initial_assessment",
        "initial_assessment_limit",
        "full_assessment_start",
        "full_assessment",
        "case_plan",
        "plan_validation",
        "follow_up",
        "review",
    ):
        table = policy.deadlines.table(name)
        anchors[name] = table.anchor.value
        for level in _LEVELS:
            cells[(name, level)] = table.cell(level)
    soon = policy.tasks.due_soon.value
    week = policy.calendar.week_days.value
    return _Compiled(
        cells=cells,
        anchors=anchors,
        escalate_from_anchor=policy.risk_change.on_escalation.value == "original_anchor",
        deescalation=policy.risk_change.on_deescalation.value,
        due_soon=round(soon.nominal_hours(week_days=week) * 60),
        inactive=frozenset(
            name
            for name in anchors
            if all(cells[(name, lv)].value is Directive.NOT_APPLICABLE for lv in _LEVELS)
        ),
        simple_calendar=not policy.clock.working_days,
        week_days=week,
        thirty_day_months=policy.calendar.month.value == "30d",
    )


_Segment = tuple[RiskLevel, int, bool, Cited[Any]]


class _Ctx:
    """Everything one schedule() call needs; tasks are appended to ``out``.

    Instants are integer minutes (``_key``) so that the hot path does integer arithmetic; a
    deadline "timed" to the minute comes from an hour-based rule and an anchor with a time.
    """

    __slots__ = (
        "cal",
        "case",
        "code",
        "comp",
        "cw",
        "default_level",
        "now",
        "out",
        "policy",
        "soon_from",
        "timeline",
        "today",
        "today_ord",
    )

    def __init__(self, case: CaseFile, policy: Policy, today: dt.date | dt.datetime) -> None:
        self.case = case
        self.policy = policy
        self.code = case.case_code
        self.cw = case.caseworker_id
        self.cal = policy.clock
        self.comp: _Compiled = policy.memo("schedule", _compile)
        if isinstance(today, dt.datetime):
            day, time = today.date(), today.replace(tzinfo=None).time()
            self.now: int | None = _key(day, time)
        else:
            day = today
            self.now = None
        self.today = day
        self.today_ord = day.toordinal()
        # A pending task is "due" once the end of today reaches due_soon before its time.
        self.soon_from = self.today_ord * _DAY + _EOD + self.comp.due_soon
        self.default_level: RiskLevel = policy.risk.default_level.value
        self.timeline: list[tuple[int, RiskLevel]] = []
        self.out: list[Task] = []

    # -- risk ------------------------------------------------------------------------------

    def level_at(self, day: int, before: int | None) -> RiskLevel:
        """The level in force on ordinal ``day``, ignoring levels set on/after ``before``."""
        level = None
        for when, lvl in self.timeline:
            if when > day or (before is not None and when >= before):
                break
            level = lvl
        if level is None:
            # Nothing decided yet at the anchor: the first level ever decided before the task
            # was done, else the profile's default (the level "perçu en premier lieu").
            for when, lvl in self.timeline:
                if before is None or when < before:
                    return lvl
                break
            return self.default_level
        return level

    # -- dates -----------------------------------------------------------------------------

    def add(self, day: int, minute: int | None, d: Duration) -> tuple[int, bool]:
        """The instant ``d`` after ordinal ``day`` (at ``minute`` of that day, if known)."""
        amount, unit, times = d.amount, d.unit, d.times
        if unit == "h":
            minutes = (amount * 60) // times
            if minute is not None:
                return day * _DAY + minute + minutes, True
            return (day + minutes // _DAY) * _DAY + _EOD, False
        comp = self.comp
        if comp.simple_calendar:
            if unit == "mo" and not comp.thirty_day_months:
                if amount % times == 0:
                    return _add_months(day, amount // times) * _DAY + _EOD, False
                return (day + (30 * amount) // times) * _DAY + _EOD, False
            days = amount * (comp.week_days if unit == "w" else 30 if unit == "mo" else 1)
            return (day + days // times) * _DAY + _EOD, False
        result = self.cal.add(dt.date.fromordinal(day), d)
        return result.toordinal() * _DAY + _EOD, False

    def deadline(
        self, table: str, anchor: int, anchor_min: int | None, done: int | None
    ) -> tuple[int | None, bool, Cited[Any], RiskLevel]:
        """Due instant of one step under the risk timeline; ``None`` due for a directive cell.

        Each level in force since the anchor sets a deadline ("segment"); the due time is the
        earliest deadline of the segments in force. Raising the level adds a segment (the new
        delay counted from the anchor or from the change, per ``risk_change.on_escalation``), so
        it can only bring the due time forward. Lowering the level (``on_deescalation``): with
        ``keep`` the pending deadline stands and the lower level applies to later tasks; with
        ``change_time`` / ``original_anchor`` a lowering made before the due time releases the
        higher levels' deadlines and counts the lower level's delay from the change / anchor.
        Lowering to a level without deadline (none) before the due time replaces the deadline
        by the table's directive. Nothing done after the due time forgives it.
        """
        comp = self.comp
        cells = comp.cells
        timeline = self.timeline
        if len(timeline) == 1 and (done is None or timeline[0][0] < done):
            level = timeline[0][1]  # one level ever decided: nothing can change
            cited = cells[(table, level)]
            cell = cited.value
            if isinstance(cell, Duration):
                due, timed = self.add(anchor, anchor_min, cell)
                return due, timed, cited, level
            return None, False, cited, level
        level = self.level_at(anchor, done)
        cited = cells[(table, level)]
        cell = cited.value
        best: _Segment | None = None
        segments: list[_Segment] = []
        if isinstance(cell, Duration):
            due, timed = self.add(anchor, anchor_min, cell)
            best = (level, due, timed, cited)
            segments.append(best)
        directive = None if segments else cited
        for when, new_level in timeline:
            if when <= anchor or new_level is level:
                continue
            if done is not None and when >= done:
                break
            new_cited = cells[(table, new_level)]
            new_cell = new_cited.value
            in_time = best is None or when * _DAY <= best[1]
            if _RANK[new_level] > _RANK[level]:
                if isinstance(new_cell, Duration):
                    if comp.escalate_from_anchor and segments:
                        cand, cand_timed = self.add(anchor, anchor_min, new_cell)
                    else:
                        cand, cand_timed = self.add(when, None, new_cell)
                    segments.append((new_level, cand, cand_timed, new_cited))
                    directive = None
            elif in_time and not isinstance(new_cell, Duration):
                segments = [seg for seg in segments if _RANK[seg[0]] <= _RANK[new_level]]
                if not segments:
                    directive = new_cited
            elif in_time and comp.deescalation != "keep":
                segments = [seg for seg in segments if _RANK[seg[0]] <= _RANK[new_level]]
                if comp.deescalation == "change_time":
                    cand, cand_timed = self.add(when, None, new_cell)
                else:
                    cand, cand_timed = self.add(anchor, anchor_min, new_cell)
                segments.append((new_level, cand, cand_timed, new_cited))
            level = new_level
            best = min(segments, key=_segment_due) if segments else None
        if best is None:
            return None, False, directive or cited, level
        return best[1], best[2], best[3], best[0]

    # -- emitting --------------------------------------------------------------------------

    def emit(
        self,
        kind: TaskKind,
        due: int,
        rule: str,
        *,
        timed: bool = False,
        level: RiskLevel | None = None,
        anchor: dt.date | None = None,
        done: dt.date | None = None,
        done_time: dt.time | None = None,
        ref: str | None = None,
        advisory: bool = False,
        reasons: tuple[Reason, ...] = (),
    ) -> None:
        due_ord = due // _DAY
        if done is not None:
            if timed and done_time is not None:
                late = _key(done, done_time) > due
            else:
                late = done.toordinal() > due_ord
            status = TaskStatus.DONE_LATE if late else TaskStatus.DONE_ON_TIME
        elif advisory:
            status = TaskStatus.DUE if self.today_ord >= due_ord else TaskStatus.UPCOMING
        elif (self.now > due) if self.now is not None else (self.today_ord > due_ord):
            status = TaskStatus.OVERDUE
        elif self.soon_from >= due:
            status = TaskStatus.DUE
        else:
            status = TaskStatus.UPCOMING
        day = dt.date.fromordinal(due_ord)
        due_at = None
        if timed:
            minute = due - due_ord * _DAY
            due_at = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60)  # noqa: DTZ001 - wall clock
        self.out.append(
            Task(
                self.code,
                kind,
                day,
                status,
                rule,
                due_at,
                level,
                anchor,
                done,
                ref,
                self.cw,
                reasons,
            )
        )

    def step(
        self,
        kind: TaskKind,
        table: str,
        anchor: dt.date,
        anchor_time: dt.time | None,
        done: dt.date | None,
        done_time: dt.time | None = None,
        directive_kind: TaskKind | None = None,
        directive_done: dt.date | None = None,
    ) -> None:
        if table in self.comp.inactive:
            return
        minute = anchor_time.hour * 60 + anchor_time.minute if anchor_time is not None else None
        due, timed, cited, level = self.deadline(
            table, anchor.toordinal(), minute, done.toordinal() if done is not None else None
        )
        if due is not None:
            self.emit(
                kind,
                due,
                cited.key,
                timed=timed,
                level=level,
                anchor=anchor,
                done=done,
                done_time=done_time,
            )
        elif cited.value is not Directive.NOT_APPLICABLE and directive_kind is not None:
            self.emit(
                directive_kind,
                _key(anchor, None),
                cited.key,
                level=level,
                anchor=anchor,
                done=directive_done,
                advisory=True,
            )

    def series(
        self,
        kind: TaskKind,
        table: str,
        start: dt.date,
        events: Sequence[dt.date],
        until: dt.date | None = None,
    ) -> None:
        """A recurring task: each event is due one interval after the previous one."""
        prev = start
        prev_ord = start.toordinal()
        for event in events:
            event_ord = event.toordinal()
            if event_ord <= prev_ord:
                continue
            due, timed, cited, level = self.deadline(table, prev_ord, None, event_ord)
            if due is None:
                return
            self.emit(kind, due, cited.key, timed=timed, level=level, anchor=prev, done=event)
            prev, prev_ord = event, event_ord
        if until is not None and prev >= until:
            return
        due, timed, cited, level = self.deadline(table, prev_ord, None, None)
        if due is not None and (until is None or due // _DAY <= until.toordinal()):
            self.emit(kind, due, cited.key, timed=timed, level=level, anchor=prev)

    def fixed_series(
        self,
        kind: TaskKind,
        cited: Cited[Any],
        start: dt.date,
        events: Sequence[dt.date],
        until: dt.date | None = None,
        ref: str | None = None,
    ) -> None:
        """A recurring task with a fixed interval (no risk table)."""
        interval = cited.value
        if not isinstance(interval, Duration):
            return
        prev = start
        for event in events:
            if event <= prev:
                continue
            if until is not None and event > until:
                break
            due, timed = self.add(prev.toordinal(), None, interval)
            self.emit(kind, due, cited.key, timed=timed, anchor=prev, done=event, ref=ref)
            prev = event
        due, timed = self.add(prev.toordinal(), None, interval)
        if until is None or due // _DAY <= until.toordinal():
            self.emit(kind, due, cited.key, timed=timed, anchor=prev, ref=ref)

    def fixed(
        self,
        kind: TaskKind,
        cited: Cited[Any],
        start: dt.date,
        start_time: dt.time | None,
        done: dt.date | None,
        done_time: dt.time | None = None,
        *,
        ref: str | None = None,
        advisory: bool = False,
    ) -> None:
        """A one-off clock with a fixed delay (emergency, referral, closure rules)."""
        delay = cited.value
        if not isinstance(delay, Duration):
            return
        minute = start_time.hour * 60 + start_time.minute if start_time is not None else None
        due, timed = self.add(start.toordinal(), minute, delay)
        self.emit(
            kind,
            due,
            cited.key,
            timed=timed,
            anchor=start,
            done=done,
            done_time=done_time,
            ref=ref,
            advisory=advisory,
        )


def _segment_due(segment: _Segment) -> int:
    return segment[1]


class _Contacts:
    """One pass over the follow-up contacts (5.A) of a file, for every rule that needs them."""

    __slots__ = (
        "dates",
        "last_seen",
        "last_unseen",
        "plan_dates",
        "proposed",
        "updates",
        "visits",
    )

    def __init__(self, case: CaseFile) -> None:
        dates: set[dt.date] = set()
        plan_dates: set[dt.date] = set()
        visits: set[dt.date] = set()
        self.updates: dict[str, dt.date] = {}  # activity row id → first "completed" update
        self.proposed: dt.date | None = None  # first contact recommending closure
        self.last_seen: dt.date | None = None  # last contact where the child was not unseen
        self.last_unseen = False  # the latest contact did not see the child
        latest: dt.date | None = None
        for f in case.follow_ups:
            for c in f.followup_subform_section:
                day = c.followup_date
                dates.add(day)
                if c.followup_type is not FollowUpType.POST_CLOSURE:
                    plan_dates.add(day)
                if c.followed_up_through in _VISIT_TYPES:
                    visits.add(day)
                for u in c.activity_updates:
                    if u.interventions_status is ActivityStatus.COMPLETED:
                        prev = self.updates.get(u.activity_ref)
                        if prev is None or day < prev:
                            self.updates[u.activity_ref] = day
                if c.recommend_case_closed and (self.proposed is None or day < self.proposed):
                    self.proposed = day
                if c.child_was_seen is not False and (
                    self.last_seen is None or day > self.last_seen
                ):
                    self.last_seen = day
                if latest is None or day >= latest:
                    latest = day
                    self.last_unseen = c.child_was_seen is False
        self.dates = sorted(dates)
        self.plan_dates = sorted(plan_dates)
        self.visits = sorted(visits)


def _episodes_from_case(case: CaseFile) -> list[EmergencyEpisode]:
    out = []
    for r in case.referrals:
        cr = r.counter_referral
        if r.referral_type is ReferralType.EMERGENCY and cr is not None:
            out.append(
                EmergencyEpisode(EpisodeKind.HEALTH_DISCHARGE, cr.service_date, ref=r.entry_id)
            )
    return out


def _schedule_closed(ctx: _Ctx, closed: dt.date) -> None:
    contacts = sorted(
        {
            c.followup_date
            for f in ctx.case.follow_ups
            for c in f.followup_subform_section
            if c.followup_type is FollowUpType.POST_CLOSURE and c.followup_date >= closed
        }
    )
    birthday, _ = age_limit_date(ctx.case, ctx.policy.eligibility.age_limit.value)
    ctx.fixed_series(
        TaskKind.POST_CLOSURE_VISIT,
        ctx.policy.closure.post_closure_visit,
        closed,
        contacts,
        until=birthday,
    )


def schedule(
    case: CaseFile,
    policy: Policy,
    today: dt.date | dt.datetime,
    *,
    episodes: Iterable[EmergencyEpisode] = (),
) -> tuple[Task, ...]:
    """Every due item of ``case`` under ``policy`` on ``today``, sorted by due date.

    Deterministic and pure: the same arguments always give the same tasks; the clock is never
    read. Tasks of a closed file are its post-closure visits only; a file recorded as not
    eligible has none.
    """
    if case.status is CaseStatus.NOT_ELIGIBLE:
        return ()
    ctx = _Ctx(case, policy, today)
    closed = closed_on(case)
    if closed is not None:
        _schedule_closed(ctx, closed)
        return _sorted(ctx.out)
    # Only the changes of level matter (restatements of the same level do not).
    timeline: list[tuple[int, RiskLevel]] = []
    last: RiskLevel | None = None
    for day, level in risk_timeline(case, policy):
        if level is not last:
            timeline.append((day.toordinal(), level))
            last = level
    ctx.timeline = timeline
    contacts = _Contacts(case)
    _schedule_steps(ctx, contacts)
    _schedule_other(ctx, contacts, (*_episodes_from_case(case), *episodes))
    return _sorted(ctx.out)


def _kind_order(task: Task) -> tuple[dt.date, int, str]:
    return (task.due, _KIND_ORDER[task.kind], task.ref or "")


_KIND_ORDER = {k: i for i, k in enumerate(TaskKind)}


def _sorted(tasks: list[Task]) -> tuple[Task, ...]:
    tasks.sort(key=_kind_order)
    return tuple(tasks)


def _schedule_steps(ctx: _Ctx, contacts: _Contacts) -> None:
    case = ctx.case
    anchors = ctx.comp.anchors
    reg = case.registration
    reopen = max(case.reopenings, key=lambda b: b.reopen_date, default=None)
    start = reopen.reopen_date if reopen is not None else None

    ident: tuple[dt.date, dt.time | None] | None = None
    registered: tuple[dt.date, dt.time | None] | None = None
    if reopen is not None:
        registered = ident = (reopen.reopen_date, None)
    elif reg is not None:
        ident = (reg.identification_date, reg.identification_time)
        same_day = reg.registration_date == reg.identification_date
        registered = (reg.registration_date, reg.identification_time if same_day else None)

    ia = case.initial_assessment
    if ia is not None and start is not None and ia.assessment_date < start:
        ia = None
    ia_done = (ia.assessment_date, ia.assessment_time) if ia is not None else None
    skip_initial = reopen is not None and (reopen.restart_step.number or 1) > 1

    # Step 1b: initial assessment (and the interagency absolute limit).
    if not skip_initial:
        for kind, table in (
            (TaskKind.INITIAL_ASSESSMENT, "initial_assessment"),
            (TaskKind.INITIAL_ASSESSMENT_LIMIT, "initial_assessment_limit"),
        ):
            anchor = ident if anchors[table] is AnchorEvent.IDENTIFICATION else registered
            if anchor is None:
                continue
            done_d, done_t = ia_done if ia_done else (None, None)
            if (
                kind is TaskKind.INITIAL_ASSESSMENT
                and reg is not None
                and reg.emergency_care_needed
                and reopen is None
                and _emergency_initial(ctx, anchor, done_d, done_t)
            ):
                continue
            ctx.step(kind, table, anchor[0], anchor[1], done_d, done_t)

    # Step 2: full assessment.
    assessments = [
        a for a in case.in_depth_assessments if start is None or a.assessment_start_date >= start
    ]
    started = min((a.assessment_start_date for a in assessments), default=None)
    completed = min(
        (a.assessment_completed_date for a in assessments if a.assessment_completed_date),
        default=None,
    )
    plans = [p for p in case.action_plans if start is None or p.date_case_plan >= start]
    first_plan = min((p.date_case_plan for p in plans), default=None)
    closure_proposed = _closure_proposed(case, contacts)

    def anchor_for(table: str) -> tuple[dt.date, dt.time | None] | None:
        event = anchors[table]
        if event is AnchorEvent.REGISTRATION:
            return registered
        if event is AnchorEvent.IDENTIFICATION:
            return ident
        if event is AnchorEvent.INITIAL_ASSESSMENT:
            if ia_done is not None:
                return ia_done
            return registered if skip_initial else None
        return None

    a = anchor_for("full_assessment_start")
    if a is not None:
        ctx.step(TaskKind.FULL_ASSESSMENT_START, "full_assessment_start", a[0], a[1], started)
    a = anchor_for("full_assessment")
    if a is not None:
        ctx.step(
            TaskKind.FULL_ASSESSMENT,
            "full_assessment",
            a[0],
            a[1],
            completed,
            directive_kind=TaskKind.CLOSURE_RECOMMENDED,
            directive_done=closure_proposed,
        )

    # Step 3: case plan and its validation.
    if completed is not None:
        ctx.step(
            TaskKind.CASE_PLAN,
            "case_plan",
            completed,
            None,
            first_plan,
            directive_kind=TaskKind.COMMUNITY_FOLLOW_UP,
            directive_done=closure_proposed,
        )
    approved = _approval_date(plans)
    if first_plan is not None:
        ctx.step(TaskKind.PLAN_VALIDATION, "plan_validation", first_plan, None, approved)

    # Steps 4–5: recurring follow-ups and reviews, plan activities.
    plan_start = approved or first_plan
    starts = {
        AnchorEvent.PLAN_START: plan_start,
        AnchorEvent.PLAN_VALIDATION: approved,
        AnchorEvent.CASE_PLAN: first_plan,
        AnchorEvent.INITIAL_ASSESSMENT: ia_done[0] if ia_done else None,
    }
    follow_start = starts.get(anchors["follow_up"])
    if follow_start is not None:
        follow = [d for d in contacts.plan_dates if d >= follow_start]
        ctx.series(TaskKind.FOLLOW_UP, "follow_up", follow_start, follow)
    review_start = starts.get(anchors["review"])
    if review_start is not None:
        reviews = sorted({r.review_date for r in case.reviews if r.review_date >= review_start})
        ctx.series(TaskKind.REVIEW, "review", review_start, reviews)
    if plans and ctx.policy.tasks.plan_activities.value:
        _plan_activities(ctx, plans, contacts)


def _emergency_initial(
    ctx: _Ctx,
    anchor: tuple[dt.date, dt.time | None],
    done_d: dt.date | None,
    done_t: dt.time | None,
) -> bool:
    """Initial assessment at once for an emergency (imminent danger); True if emitted."""
    cited = ctx.policy.emergency.imminent_danger_initial_assessment
    if not isinstance(cited.value, Duration):
        return False
    day = anchor[0].toordinal()
    minute = anchor[1].hour * 60 + anchor[1].minute if anchor[1] is not None else None
    done_ord = done_d.toordinal() if done_d is not None else None
    due, _, _, _ = ctx.deadline("initial_assessment", day, minute, done_ord)
    emergency_due, emergency_timed = ctx.add(day, minute, cited.value)
    if due is not None and due <= emergency_due:
        return False
    ctx.emit(
        TaskKind.INITIAL_ASSESSMENT,
        emergency_due,
        cited.key,
        timed=emergency_timed,
        level=RiskLevel.HIGH,
        anchor=anchor[0],
        done=done_d,
        done_time=done_t,
    )
    return True


def _approval_date(plans: Sequence[Any]) -> dt.date | None:
    dates = []
    for p in plans:
        if p.case_plan_approved and p.case_plan_approved_date is not None:
            dates.append(p.case_plan_approved_date)
        elif p.supervisor_signed and p.validation_meeting_date is not None:
            dates.append(p.validation_meeting_date)
    return min(dates, default=None)


def _closure_proposed(case: CaseFile, contacts: _Contacts) -> dt.date | None:
    dates = [r.review_date for r in case.reviews if r.recommend_close_case]
    if contacts.proposed is not None:
        dates.append(contacts.proposed)
    return min(dates, default=None)


def _plan_activities(ctx: _Ctx, plans: Sequence[Any], contacts: _Contacts) -> None:
    latest = max(enumerate(plans), key=lambda p: (p[1].date_case_plan, p[0]))[1]
    completed_on = dict(contacts.updates)
    for s in ctx.case.services:
        for rec in s.services_section:
            if (
                rec.plan_activity_ref
                and rec.service_implemented
                and rec.service_implemented_day_time
            ):
                prev = completed_on.get(rec.plan_activity_ref)
                day = rec.service_implemented_day_time
                if prev is None or day < prev:
                    completed_on[rec.plan_activity_ref] = day
    rule = ctx.policy.tasks.plan_activities.key
    for act in latest.activities:
        if act.interventions_status is ActivityStatus.CANCELLED:
            continue
        done = completed_on.get(act.row_id)
        if done is None and act.interventions_status is ActivityStatus.COMPLETED:
            done = latest.date_case_plan
        ctx.emit(
            TaskKind.PLAN_ACTIVITY,
            _key(act.deadline, None),
            rule,
            anchor=latest.date_case_plan,
            done=done,
            ref=act.row_id,
        )


def _schedule_other(ctx: _Ctx, contacts: _Contacts, episodes: Iterable[EmergencyEpisode]) -> None:
    case, policy = ctx.case, ctx.policy
    visits = contacts.visits
    em = policy.emergency
    for ep in episodes:
        start, start_t = _split(ep.started)
        end, end_t = _split(ep.ended) if ep.ended is not None else (None, None)
        if ep.kind is EpisodeKind.REQUISITION:
            ctx.fixed(TaskKind.REQUISITION, em.requisition, start, start_t, end, end_t, ref=ep.ref)
        elif ep.kind is EpisodeKind.EMERGENCY_SHELTER:
            ctx.fixed(
                TaskKind.EMERGENCY_SHELTER_EXIT,
                em.emergency_shelter_max,
                start,
                start_t,
                end,
                end_t,
                ref=ep.ref,
            )
        elif ep.kind is EpisodeKind.HCR_TRANSIT:
            if ep.asylum_seeker and ep.specific_needs:
                continue  # beyond 14 days allowed (L883): no deadline
            cited = em.hcr_transit_asylum_seeker_max if ep.asylum_seeker else em.hcr_transit_max
            ctx.fixed(TaskKind.HCR_TRANSIT_EXIT, cited, start, start_t, end, end_t, ref=ep.ref)
        elif ep.kind is EpisodeKind.HEALTH_DISCHARGE:
            if end is None:
                end = next((v for v in visits if v >= start), None)
            ctx.fixed(TaskKind.POST_DISCHARGE_VISIT, em.post_discharge_visit, start, None, end)
        else:
            in_house = [c for c in contacts.dates if c > start and (end is None or c <= end)]
            ctx.fixed_series(
                TaskKind.SAFE_HOUSE_CONTACT,
                em.safe_house_contact,
                start,
                in_house,
                until=end,
                ref=ep.ref,
            )

    after = policy.referrals.counter_referral_after
    for r in case.referrals:
        if r.referral_status in _REFERRAL_DROPPED:
            continue
        cr = r.counter_referral
        ctx.fixed(
            TaskKind.COUNTER_REFERRAL,
            after,
            r.referral_date,
            None,
            cr.service_date if cr is not None else None,
            ref=r.entry_id,
        )

    last_activity = last_activity_on(case)
    if last_activity is not None:
        ctx.fixed(
            TaskKind.INACTIVITY_CLOSURE_REVIEW,
            policy.closure.inactivity,
            last_activity,
            None,
            None,
        )
    lost_since = _lost_since(case, contacts)
    if lost_since is not None:
        ctx.fixed(
            TaskKind.LOST_TO_FOLLOW_UP_CLOSURE,
            policy.closure.lost_to_follow_up_min,
            lost_since,
            None,
            None,
            advisory=True,
        )

    birthday, estimated = age_limit_date(case, policy.eligibility.age_limit.value)
    if birthday is not None:
        note = (
            (
                Reason(
                    "estimated_birthday",
                    "Date estimée à partir de l'âge à l'enregistrement",
                    "Date estimated from the age at registration",
                    "eligibility.age_limit",
                ),
            )
            if estimated
            else ()
        )
        ctx.emit(
            TaskKind.AGE_LIMIT,
            _key(birthday, None),
            policy.eligibility.age_limit.key,
            reasons=note,
        )


def _lost_since(case: CaseFile, contacts: _Contacts) -> dt.date | None:
    """Last contact with the child when the file says they are lost to follow-up, else None."""
    lost = any(
        r.recommend_close_case and r.recommended_closure_reason is ClosureReason.LOST_TO_FOLLOW_UP
        for r in case.reviews
    )
    if not (lost or contacts.last_unseen):
        return None
    if contacts.last_seen is not None:
        return contacts.last_seen
    ia = case.initial_assessment
    if ia is not None:
        return ia.assessment_date
    reg = case.registration
    return reg.registration_date if reg is not None else None


#: Policy keys of organisation-level cadences that :func:`cadence_check` understands.
CADENCES: tuple[str, ...] = (
    "caseload.workload_review_every",
    "supervision.team_meeting_every",
    "supervision.individual_supervision_every",
    "supervision.supervisor_case_review_every",
    "supervision.emergency_cm_meeting_every",
    "mapping.refresh_every",
    "mapping.refresh_every_emergency_zone",
)


@attrs.frozen
class CadenceCheck:
    """A recurring organisational duty: when it is next due and where it stands.

    ``due`` and ``status`` are ``None`` when the profile sets no cadence for ``rule``.
    """

    rule: str
    last: dt.date | None
    due: dt.date | None
    status: TaskStatus | None


def cadence_check(rule: str, last: dt.date | None, policy: Policy, today: dt.date) -> CadenceCheck:
    """Whether the duty at policy key ``rule`` (one of :data:`CADENCES`) is overdue on ``today``.

    ``last`` is when it was last done (``None``: never, so it is due now). Examples: a
    caseworker's workload reviewed every two weeks (course L720), the service map refreshed every
    6 months, 3 in emergency zones (SOP L466), weekly CM meetings in emergencies (course L1066).
    """
    if rule not in CADENCES:
        raise ValueError(f"not a cadence: {rule!r} (expected one of {', '.join(CADENCES)})")
    interval = policy.lookup(rule).value
    if not isinstance(interval, Duration):
        return CadenceCheck(rule, last, None, None)
    if last is None:
        return CadenceCheck(rule, None, today, TaskStatus.DUE)
    due = policy.clock.add(last, interval)
    if today > due:
        status = TaskStatus.OVERDUE
    elif _key(today, None) >= _key(due, None) - policy.memo("schedule", _compile).due_soon:
        status = TaskStatus.DUE
    else:
        status = TaskStatus.UPCOMING
    return CadenceCheck(rule, last, due, status)
