"""Forms 1.A–1.E, 2.A, 4.B–4.E, BIA, BID and the protection vocabularies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from cpcase.errors import FormError
from cpcase.forms._base import FormBase
from cpcase.forms.assessment import InDepthAssessmentForm, InitialAssessmentForm
from cpcase.forms.best_interests import BestInterestsAssessment, BestInterestsDetermination
from cpcase.forms.consent import ConsentForm
from cpcase.forms.ftr import (
    AdultVerificationForm,
    ChildLocationForm,
    ChildVerificationForm,
    MissingChildForm,
    ReunificationForm,
    UascRegistrationForm,
)
from cpcase.forms.registration import RegistrationForm, age_on
from cpcase.labels import LabelledEnum
from cpcase.testing.forms_part1 import (
    MAX_DATE,
    PART1_STRATEGIES,
    consent_forms,
    in_depth_assessment_forms,
    initial_assessment_forms,
    registration_forms,
)
from cpcase.vocab import (
    AgeStatus,
    AssessmentDomain,
    FormClass,
    IdentificationSource,
    ProtectionSituation,
    Step,
    VulnerabilityCategory,
)
from cpcase.vocab import protection as protection_vocab

FORMS: dict[str, type[FormBase]] = {
    "1.A": ConsentForm,
    "1.B": RegistrationForm,
    "1.C": InitialAssessmentForm,
    "1.D": UascRegistrationForm,
    "1.E": MissingChildForm,
    "2.A": InDepthAssessmentForm,
    "4.B": ChildLocationForm,
    "4.C": AdultVerificationForm,
    "4.D": ChildVerificationForm,
    "4.E": ReunificationForm,
    "BIA": BestInterestsAssessment,
    "BID": BestInterestsDetermination,
}

# Step and class of each form, from the catalogue table (requirements §4.0, SOP L1147–L1175).
EXPECTED_PLACE = {
    "1.A": (Step.IDENTIFICATION, FormClass.MAIN),
    "1.B": (Step.IDENTIFICATION, FormClass.MAIN),
    "1.C": (Step.IDENTIFICATION, FormClass.MAIN),
    "1.D": (Step.IDENTIFICATION, FormClass.COMPLEMENTARY),
    "1.E": (Step.IDENTIFICATION, FormClass.COMPLEMENTARY),
    "2.A": (Step.ASSESSMENT, FormClass.MAIN),
    "4.B": (Step.IMPLEMENTATION, FormClass.COMPLEMENTARY),
    "4.C": (Step.IMPLEMENTATION, FormClass.COMPLEMENTARY),
    "4.D": (Step.IMPLEMENTATION, FormClass.COMPLEMENTARY),
    "4.E": (Step.IMPLEMENTATION, FormClass.COMPLEMENTARY),
    "BIA": (Step.ASSESSMENT, FormClass.COMPLEMENTARY),
    "BID": (Step.CASE_PLAN, FormClass.COMPLEMENTARY),
}

CODES = sorted(FORMS)


def _dump(form: BaseModel) -> dict[str, Any]:
    return form.model_dump(mode="json")


def _problem_paths(exc: FormError) -> set[str]:
    return {path for path, _fr, _en, _msg in exc.problems}


def _models_in(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every row model nested in its fields (tuples of rows included)."""
    found: list[type[BaseModel]] = [model]
    for info in model.model_fields.values():
        stack: list[Any] = [info.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if tp not in found:
                    found.extend(m for m in _models_in(tp) if m not in found)
            else:
                stack.extend(getattr(tp, "__args__", ()))
    return found


# --- catalogue metadata ------------------------------------------------------------------


def test_strategies_cover_every_form() -> None:
    """There is one strategy per form of this half of the catalogue, keyed by its code."""
    assert set(PART1_STRATEGIES) == set(FORMS)


@pytest.mark.parametrize("code", CODES)
def test_class_metadata(code: str) -> None:
    """Each form declares its code, step, class, both names and a docstring citing its source."""
    model = FORMS[code]
    assert model.form_code == code
    assert (model.step, model.form_class) == EXPECTED_PLACE[code]
    assert model.name_fr.strip()
    assert model.name_en.strip()
    assert model.__doc__ is not None
    assert re.search(r"SOP|course|CPIMS", model.__doc__)


@pytest.mark.parametrize("code", CODES)
def test_every_field_has_both_labels(code: str) -> None:
    """Every field of the form and of its nested rows has French and English labels."""
    for model in _models_in(FORMS[code]):
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            assert isinstance(extra, dict), f"{model.__name__}.{name} has no labels"
            assert str(extra.get("label_fr", "")).strip(), f"{model.__name__}.{name}: label_fr"
            assert str(extra.get("label_en", "")).strip(), f"{model.__name__}.{name}: label_en"


@pytest.mark.parametrize("code", CODES)
def test_repeated_values_are_tuples(code: str) -> None:
    """No list or dict field: frozen forms are deeply immutable."""
    for model in _models_in(FORMS[code]):
        for name, info in model.model_fields.items():
            text = repr(info.annotation)
            assert "list[" not in text, f"{model.__name__}.{name}"
            assert "dict[" not in text, f"{model.__name__}.{name}"


def test_sharing_contract_fields() -> None:
    """The sharing rules rely on ``hidden_name`` (1.B) and ``strictly_confidential``."""
    assert RegistrationForm.model_fields["hidden_name"].default is False
    for model in (
        InitialAssessmentForm,
        InDepthAssessmentForm,
        BestInterestsAssessment,
        BestInterestsDetermination,
    ):
        assert "strictly_confidential" in model.model_fields


def test_names_only_where_needed() -> None:
    """Child name fields exist on 1.B and the FTR identity forms only."""
    with_names = {code for code, model in FORMS.items() if "name_first" in model.model_fields}
    assert with_names == {"1.B", "1.D", "1.E"}


# --- round trips -------------------------------------------------------------------------

# Rejection properties mutate one valid form; a few examples each keep the file fast while the
# round-trip property below runs at the profile's full size.
FEW = settings(max_examples=min(10, settings().max_examples))


@pytest.mark.parametrize("code", CODES)
@given(data=st.data())
def test_json_round_trip_is_identity(code: str, data: st.DataObject) -> None:
    """JSON round trip is the identity; the form is valid, frozen and refuses unknown fields."""
    form = data.draw(PART1_STRATEGIES[code](), label=code)
    assert isinstance(form, FORMS[code])
    again = FORMS[code].model_validate_json(form.model_dump_json())
    assert again == form
    assert again.model_dump_json() == form.model_dump_json()
    # Generated forms are valid against the fixed reference date: nothing is in the future.
    assert FORMS[code].parse(_dump(form), today=MAX_DATE) == form
    with pytest.raises(ValidationError):
        form.case_code = "ML-XXX-ORG-2026-00001"
    with pytest.raises(FormError) as info:
        FORMS[code].parse({**_dump(form), "child_favourite_colour": "blue"}, today=MAX_DATE)
    assert "child_favourite_colour" in _problem_paths(info.value)


# --- rejection of invalid input ----------------------------------------------------------


@FEW
@given(form=registration_forms(), age=st.integers(18, 30))
def test_adult_age_rejected_unless_presumed_minor(form: RegistrationForm, age: int) -> None:
    """Age 18+ is refused with an error naming ``age`` and its label, unless presumed minor."""
    data = {**_dump(form), "age": age, "date_of_birth": None}
    for status in (AgeStatus.DOCUMENTED, AgeStatus.ESTIMATED):
        with pytest.raises(FormError) as info:
            RegistrationForm.parse({**data, "age_status": status.value}, today=MAX_DATE)
        assert ("age", "Âge (années)", "Age (years)") in {p[:3] for p in info.value.problems}
        assert "age (Age (years))" in str(info.value)
    ok = RegistrationForm.parse({**data, "age_status": "presumed_minor"}, today=MAX_DATE)
    assert ok.age == age


@FEW
@given(form=registration_forms())
def test_documented_age_must_match_date_of_birth(form: RegistrationForm) -> None:
    """A documented age one year off the date of birth is refused; an estimated one is not."""
    dob = dt.date(2010, 5, 17)
    registered = dt.date(2020, 5, 16)  # the day before the tenth birthday: age 9
    assert age_on(dob, registered) == 9
    data = {
        **_dump(form),
        "identification_date": "2020-05-15",
        "registration_date": registered.isoformat(),
        "date_of_birth": dob.isoformat(),
        "age": 10,
    }
    with pytest.raises(FormError) as info:
        RegistrationForm.parse({**data, "age_status": "documented"}, today=MAX_DATE)
    assert "age" in _problem_paths(info.value)
    assert RegistrationForm.parse({**data, "age_status": "estimated"}, today=MAX_DATE).age == 10


@FEW
@given(form=registration_forms(), days=st.integers(1, 400))
def test_future_registration_date_rejected(form: RegistrationForm, days: int) -> None:
    """A registration date after ``today`` is refused, naming the field and its label."""
    today = form.registration_date - dt.timedelta(days=days)
    data = {**_dump(form), "identification_date": today.isoformat()}
    with pytest.raises(FormError) as info:
        RegistrationForm.parse(data, today=today, lang="fr")
    assert "registration_date" in _problem_paths(info.value)
    assert "registration_date (Date d'enregistrement)" in str(info.value)


@FEW
@given(form=registration_forms())
def test_registration_needs_a_primary_concern(form: RegistrationForm) -> None:
    """1.B without a primary protection concern is refused (requirements §9.8)."""
    data = _dump(form)
    del data["protection_concern_primary"]
    with pytest.raises(FormError) as info:
        RegistrationForm.parse(data, today=MAX_DATE)
    assert "protection_concern_primary" in _problem_paths(info.value)


@FEW
@given(form=registration_forms())
def test_profile_alone_never_makes_cm_eligible(form: RegistrationForm) -> None:
    """eligible_cm without an Art. 50 situation is refused (SOP L655)."""
    data = {**_dump(form), "eligible_cm": True, "protection_situations": []}
    with pytest.raises(FormError) as info:
        RegistrationForm.parse(data, today=MAX_DATE)
    assert "protection_situations" in _problem_paths(info.value)


@FEW
@given(form=registration_forms())
def test_not_eligible_registration_is_kept(form: RegistrationForm) -> None:
    """A child found not eligible is still a valid registration: the trace is kept (L809)."""
    data = {**_dump(form), "eligible_cm": False, "eligibility_outcome": "not_eligible_recorded"}
    kept = RegistrationForm.parse(data, today=MAX_DATE)
    assert kept.eligible_cm is False
    assert kept.eligibility_outcome.value == "not_eligible_recorded"


@FEW
@given(form=registration_forms())
def test_emergency_is_high_risk(form: RegistrationForm) -> None:
    """An emergency registration with a risk level other than high is refused (L805)."""
    data = {**_dump(form), "emergency_care_needed": True, "risk_level": "medium"}
    with pytest.raises(FormError) as info:
        RegistrationForm.parse(data, today=MAX_DATE)
    assert "risk_level" in _problem_paths(info.value)


@pytest.mark.parametrize(
    ("strategy", "model"),
    [
        (initial_assessment_forms, InitialAssessmentForm),
        (in_depth_assessment_forms, InDepthAssessmentForm),
    ],
)
@pytest.mark.parametrize("missing", ["child_opinion", "family_opinion"])
@FEW
@given(data=st.data())
def test_assessments_need_child_and_family_opinion(
    strategy: Any, model: type[FormBase], missing: str, data: st.DataObject
) -> None:
    """1.C and 2.A end with the child's and the family's opinion (SOP L291)."""
    values = _dump(data.draw(strategy()))
    for blank in (None, "   "):
        with pytest.raises(FormError) as info:
            model.parse({**values, missing: blank}, today=MAX_DATE)
        assert missing in _problem_paths(info.value)


@FEW
@given(form=initial_assessment_forms())
def test_family_involved_only_with_child_consent(form: InitialAssessmentForm) -> None:
    """Family supports to involve need the child's consent (SOP L960)."""
    data = {
        **_dump(form),
        "family_supports_to_involve": [{"relation": "tante"}],
        "child_consents_family_involvement": False,
    }
    with pytest.raises(FormError) as info:
        InitialAssessmentForm.parse(data, today=MAX_DATE)
    assert "child_consents_family_involvement" in _problem_paths(info.value)


@FEW
@given(form=in_depth_assessment_forms(), drop=st.sampled_from(list(AssessmentDomain)))
def test_in_depth_assessment_needs_the_four_domains(
    form: InDepthAssessmentForm, drop: AssessmentDomain
) -> None:
    """Replacing one domain by a duplicate of another is refused."""
    rows = [r for r in _dump(form)["domain_factors"] if r["domain"] != drop.value]
    rows.append(rows[0])
    with pytest.raises(FormError) as info:
        InDepthAssessmentForm.parse({**_dump(form), "domain_factors": rows}, today=MAX_DATE)
    assert "domain_factors" in _problem_paths(info.value)


@FEW
@given(form=in_depth_assessment_forms())
def test_decision_against_wishes_needs_reasons(form: InDepthAssessmentForm) -> None:
    """A decision against the child's or family's wishes needs its best-interests reasons."""
    data = {
        **_dump(form),
        "decisions_against_wishes": "placement en famille d'accueil",
        "best_interest_rationale": None,
    }
    with pytest.raises(FormError) as info:
        InDepthAssessmentForm.parse(data, today=MAX_DATE)
    assert "best_interest_rationale" in _problem_paths(info.value)


@pytest.mark.parametrize("missing", ["consent_date", "consent_mode", "givers"])
@FEW
@given(form=consent_forms())
def test_consent_needs_date_mode_and_giver(form: ConsentForm, missing: str) -> None:
    """1.A requires a date, a mode and at least one giver with their relationship."""
    data = _dump(form)
    data.pop(missing)
    with pytest.raises(FormError) as info:
        ConsentForm.parse(data, today=MAX_DATE)
    assert missing in _problem_paths(info.value)
    no_relationship = {**_dump(form), "givers": [{"agreed": True}]}
    with pytest.raises(FormError) as info:
        ConsentForm.parse(no_relationship, today=MAX_DATE)
    assert "givers.0.relationship" in _problem_paths(info.value)


@FEW
@given(form=consent_forms())
def test_acting_without_consent_needs_sign_off(form: ConsentForm) -> None:
    """Another legal basis than consent needs a justification and a supervisor."""
    data = {
        **_dump(form),
        "legitimate_basis": ["vital_interests"],
        "override_justification": None,
        "override_approved_by": None,
    }
    with pytest.raises(FormError) as info:
        ConsentForm.parse(data, today=MAX_DATE)
    assert {"override_justification", "override_approved_by"} <= _problem_paths(info.value)


@FEW
@given(form=consent_forms())
def test_consent_is_informed(form: ConsentForm) -> None:
    """A consent with a scope is refused if the services were not explained first (L594)."""
    data = {
        **_dump(form),
        "givers": [{"relationship": "child", "agreed": True}],
        "consent_scope": ["referral_to_services"],
        "information_explained": False,
    }
    with pytest.raises(FormError) as info:
        ConsentForm.parse(data, today=MAX_DATE)
    assert "information_explained" in _problem_paths(info.value)


@FEW
@given(form=registration_forms())
def test_errors_never_echo_input(form: RegistrationForm) -> None:
    """Error messages name fields, never the values (they may be children's names)."""
    secret = "Aminata" * 40  # longer than a name may be
    data = {**_dump(form), "name_first": secret, "age": "Aminata"}
    with pytest.raises(FormError) as info:
        RegistrationForm.parse(data, today=MAX_DATE)
    assert "Aminata" not in str(info.value)
    assert "Aminata" not in repr(info.value.problems)
    assert {"name_first", "age"} <= _problem_paths(info.value)


def test_parse_error_label_language() -> None:
    """The summary uses the requested language's label; problems carry both."""
    with pytest.raises(FormError) as info:
        UascRegistrationForm.parse({"case_code": "ML-MOP-ORG-2026-00001"}, lang="fr")
    problems = {p[0]: p for p in info.value.problems}
    assert problems["separation_status"][1:3] == (
        "Enfant non accompagné ou séparé",
        "Unaccompanied or separated",
    )
    assert "separation_status (Enfant non accompagné ou séparé)" in str(info.value)
    assert {"form_date", "separation_voluntary"} <= set(problems)


# --- vocabularies ------------------------------------------------------------------------

VOCABS: list[type[LabelledEnum]] = [getattr(protection_vocab, n) for n in protection_vocab.__all__]


def test_vocab_all_is_sorted_and_complete() -> None:
    """``__all__`` is sorted and lists every vocabulary class of the module."""
    assert protection_vocab.__all__ == sorted(protection_vocab.__all__)
    defined = {
        name
        for name, obj in vars(protection_vocab).items()
        if isinstance(obj, type) and issubclass(obj, LabelledEnum) and obj is not LabelledEnum
    }
    assert defined == set(protection_vocab.__all__)


@pytest.mark.parametrize("vocab", VOCABS, ids=lambda v: v.__name__)
def test_vocab_members_have_labels_source_and_stable_codes(vocab: type[LabelledEnum]) -> None:
    """Every value has both labels, a source and an ASCII snake_case code."""
    assert vocab.__doc__
    for member in vocab:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", member.value), member
        assert member.label_fr.strip(), member
        assert member.label_en.strip(), member
        assert member.source.strip(), member
        assert member.cpims is None or re.fullmatch(r"[a-z0-9_]+", member.cpims), member


@pytest.mark.parametrize(
    ("vocab", "size"),
    [
        (ProtectionSituation, 12),
        (VulnerabilityCategory, 9),
        (IdentificationSource, 5),
        (AssessmentDomain, 4),
    ],
)
def test_vocab_sizes_from_the_sop(vocab: type[LabelledEnum], size: int) -> None:
    """The SOP's counted lists have their counts (Art. 50: 12; §1.2: 9; L416: 5; L986: 4)."""
    assert len(vocab) == size


def test_art50_letters_and_cpims_mapping() -> None:
    """Art. 50 situations carry letters a–l; sexual exploitation/abuse map to CPIMS+."""
    assert "".join(s.letter for s in ProtectionSituation) == "abcdefghijkl"
    assert ProtectionSituation.from_cpims("sexual_exploitation").letter == "f"
    assert ProtectionSituation.from_cpims("sexual_abuse_violence").letter == "g"
