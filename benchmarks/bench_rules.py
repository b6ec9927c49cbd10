"""Scheduling tasks for many cases costs at most half of validating them from JSON (issue 3).

For ``100_000 × scale`` generated case files, the benchmark measures in the same run:

- baseline: ``CaseFile.model_validate_json`` of every case's JSON text;
- measured: ``schedule(case, policy, today)`` of every validated case.

The generated files are complete files as a caseworker fills them (synthetic values only, no
real child): consent (1.A), registration with family supports (1.B), initial assessment with
concern details (1.C), in-depth assessment with its sources and four domains (2.A), a
validated plan with objectives and activities (3.A), services (4.A), six follow-up contacts
(5.A), two reviews (5.B), two referrals (A.1) and a risk history.

Cases are generated, validated and scheduled in small interleaved chunks (memory stays small,
and both sides see the same machine load); times are the process's CPU time, which other
processes on a shared machine disturb less than wall-clock time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import time
from typing import Any

from benchmarks._common import Result
from cpcase.case import CaseFile
from cpcase.rules.policy import load_profile
from cpcase.rules.schedule import schedule

__all__ = ["make_case", "run"]

_LEVELS = ("high", "medium", "low", "low", "medium", "none")
_CHUNK = 500
TODAY = dt.date(2025, 6, 30)


def _d(day: dt.date) -> str:
    return day.isoformat()


def make_case(i: int, rng: random.Random) -> dict[str, Any]:
    """A synthetic open case file as JSON-ready data (codes, dates and generic text only)."""
    code = f"ML-MOP-ORG-2025-{i % 100_000:05d}"
    reg = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(500))
    level = rng.choice(_LEVELS)
    ia = reg + dt.timedelta(days=rng.randrange(3))
    start = ia + dt.timedelta(days=rng.randrange(8))
    done = start + dt.timedelta(days=rng.randrange(25))
    plan_day = done + dt.timedelta(days=rng.randrange(12))
    approved = plan_day + dt.timedelta(days=rng.randrange(10))
    contacts = sorted({approved + dt.timedelta(days=rng.randrange(1, 160)) for _ in range(6)})
    reviews = sorted({approved + dt.timedelta(days=rng.randrange(20, 200)) for _ in range(2)})
    cw = f"cw-{i % 97:02d}"
    header = {"case_code": code, "caseworker_id": cw, "organisation_id": "ORG"}
    note = "Observation synthétique du gestionnaire de cas (texte de démonstration)."
    return {
        "case_code": code,
        "organisation_id": "ORG",
        "caseworker_id": cw,
        "supervisor_id": f"sup-{i % 17:02d}",
        "risk_history": [
            {
                "level": level,
                "decided_on": _d(ia),
                "decided_by": cw,
                "justification": note,
                "source_form": "1.C",
            },
            {
                "level": rng.choice(_LEVELS),
                "decided_on": _d(reviews[0]),
                "decided_by": cw,
                "justification": note,
                "source_form": "5.B",
            },
        ],
        "consents": [
            {
                **header,
                "form_date": _d(reg),
                "consent_date": _d(reg),
                "consent_mode": "written_form",
                "givers": [
                    {"relationship": "child", "agreed": True, "assent_only": True},
                    {"relationship": "mother", "agreed": True, "signed": True},
                ],
                "information_explained": True,
                "consent_scope": ["share_with_third_parties", "referral_to_services"],
                "recipients": ["family", "other_organizations"],
            }
        ],
        "registration": {
            **header,
            "form_date": _d(reg),
            "identification_date": _d(reg),
            "identification_time": "09:30:00",
            "registration_date": _d(reg),
            "identification_source": "report",
            "identified_by": "state_drpfef",
            "name_first": f"Prénom{i}",
            "name_last": f"Nom{i}",
            "sex": rng.choice(("female", "male")),
            "age": rng.randrange(1, 17),
            "age_status": "estimated",
            "has_birth_certificate_or_id": rng.random() < 0.5,
            "region": "mopti",
            "location_current": "Sévaré",
            "community_of_origin": "Bandiagara",
            "lives_in_community_of_origin": False,
            "vulnerability_categories": ["mobility", "deprived_of_family"],
            "protection_situations": ["neglect_vagrancy", "begging_economic_exploitation"],
            "protection_concern_primary": "neglect",
            "protection_concerns_secondary": ["child_labour"],
            "disability_or_chronic_illness": False,
            "family_supports": [
                {
                    "relation": "aunt",
                    "relation_is_caregiver": True,
                    "relation_is_alive": True,
                    "relation_child_is_in_contact": True,
                    "relation_location_current": "Mopti",
                    "emergency_support_role": "Accompagnement",
                },
                {
                    "relation": "father",
                    "relation_is_alive": True,
                    "relation_location_current": "Ségou",
                },
            ],
            "eligible_programme": True,
            "eligible_cm": True,
            "eligibility_reason": "Situation de l'article 50 c)",
            "eligibility_outcome": "case_opened",
            "consent_obtained": True,
        },
        "initial_assessment": {
            **header,
            "form_date": _d(ia),
            "assessment_date": _d(ia),
            "protection_situations": ["neglect_vagrancy"],
            "protection_concern_primary": "neglect",
            "concern_details": [
                {
                    "protection_concern_type": "neglect",
                    "date_concern_identified": _d(reg),
                    "concern_details": note,
                    "concern_intervention_needed": True,
                }
            ],
            "risk_factors": ["Dort régulièrement dans la rue", "Sans document d'identité"],
            "protective_factors": ["Tante disponible"],
            "risk_level": level,
            "risk_level_justification": note,
            "short_term_protection_measures": ["Hébergement chez la tante"],
            "next_steps": note,
            "child_opinion": note,
            "family_opinion": note,
        },
        "in_depth_assessments": [
            {
                **header,
                "form_date": _d(done),
                "assessment_start_date": _d(start),
                "assessment_completed_date": _d(done),
                "information_sources": [
                    {"method": "child_interview", "date": _d(start)},
                    {"method": "home_visit", "date": _d(done)},
                    {"method": "family_interview", "date": _d(done)},
                ],
                "living_conditions": note,
                "root_causes": ["Pauvreté du ménage", "Rupture familiale"],
                "domain_factors": [
                    {"domain": d, "risk_factors": [note], "protective_factors": [note]}
                    for d in ("child", "family", "community", "society")
                ],
                "needs": ["Éducation", "Soutien psychosocial"],
                "analysis": note,
                "risk_level": level,
                "risk_level_justification": note,
                "child_opinion": note,
                "family_opinion": note,
            }
        ],
        "action_plans": [
            {
                **header,
                "form_date": _d(plan_day),
                "date_case_plan": _d(plan_day),
                "case_plan_goal": "reinsertion",
                "specific_objectives": [
                    {"row_id": "o1", "description": "Retour en famille"},
                    {"row_id": "o2", "description": "Rescolarisation"},
                ],
                "activities": [
                    {
                        "row_id": f"a{k}",
                        "objective_ref": "o1" if k < 2 else "o2",
                        "intervention_service_to_be_provided": note,
                        "service_category": "psychosocial",
                        "horizon": "short",
                        "deadline": _d(plan_day + dt.timedelta(days=30 * (k + 1))),
                        "responsible_role": "caseworker",
                        "responsible_id": cw,
                    }
                    for k in range(3)
                ],
                "child_participated": True,
                "family_participated": True,
                "child_opinion": note,
                "contract_mode": "oral",
                "supervisor_id": "sup-1",
                "supervisor_signed": True,
                "case_plan_approved": True,
                "case_plan_approved_date": _d(approved),
                "validation_meeting_date": _d(approved),
            }
        ],
        "services": [
            {
                **header,
                "form_date": _d(approved),
                "services_section": [
                    {
                        "row_id": f"s{k}",
                        "service_type": "psychosocial",
                        "service_referral": "direct",
                        "plan_activity_ref": f"a{k}",
                        "service_response_day_time": _d(approved),
                        "service_provider": "ORG",
                    }
                    for k in range(2)
                ],
            }
        ],
        "follow_ups": [
            {
                **header,
                "form_date": _d(contacts[-1]),
                "followup_subform_section": [
                    {
                        "row_id": f"f{k}",
                        "followup_date": _d(c),
                        "followed_up_through": "home_visit",
                        "child_was_seen": True,
                        "purpose_followup": note,
                        "safety_observations": note,
                    }
                    for k, c in enumerate(contacts)
                ],
            }
        ],
        "reviews": [
            {
                **header,
                "form_date": _d(r),
                "review_date": _d(r),
                "participants": ["Enfant", "Tante", "Superviseur"],
                "objectives_review": [
                    {"objective_ref": "o1", "achievement": "partially_achieved", "comment": note}
                ],
                "plan_still_relevant": True,
                "risk_level": level,
                "risk_level_changed": False,
                "recommend_close_case": False,
                "date_next_review": _d(r + dt.timedelta(days=60)),
            }
            for r in reviews
        ],
        "referrals": [
            {
                **header,
                "form_date": _d(approved),
                "entry_id": f"r{k}",
                "referral_date": _d(approved + dt.timedelta(days=k)),
                "referring_caseworker_phone": "+22370000000",
                "family_contact_relationship": "tante",
                "family_contact_phone": "+22370000001",
                "receiving_organisation": "CSREF",
                "service_type": "health_care",
                "information_shared": note,
                "consent_for_services": True,
                "disclosure_other_orgs": True,
            }
            for k in range(2)
        ],
    }


def run(scale: float) -> list[Result]:
    """Time validation (baseline) and scheduling (measured) of ``100_000 × scale`` cases."""
    n = max(1_000, int(100_000 * scale))
    policy = load_profile("mali-2020")
    rng = random.Random(20_240_301)
    validate_s = schedule_s = 0.0
    tasks = 0
    done = 0
    while done < n:
        size = min(_CHUNK, n - done)
        texts = [json.dumps(make_case(done + k, rng)) for k in range(size)]
        # The garbage collector stays on, as in any real run (pydantic's validation allocates
        # much more than scheduling does); each phase starts from a collected heap.
        gc.collect()
        t0 = time.process_time()
        cases = [CaseFile.model_validate_json(t) for t in texts]
        t1 = time.process_time()
        gc.collect()
        t1b = time.process_time()
        for c in cases:
            tasks += len(schedule(c, policy, TODAY))
        t2 = time.process_time()
        schedule_s += t2 - t1b
        validate_s += t1 - t0
        done += size
    return [
        Result(
            name=f"rules: schedule {n:,} cases vs validate JSON",
            measured=schedule_s,
            baseline=validate_s,
            target=0.5,
            unit="s CPU",
            note=f"{tasks / n:.1f} tasks per case",
        )
    ]
