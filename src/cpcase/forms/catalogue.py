"""The harmonised form catalogue: form code → model, step, class and names (SOP §6.1.2).

The order is the SOP's (L1147–L1175): step forms 1.A–6.C, the any-step forms A.1–B.1, then the
file tools, the service-map record and the best-interests records.
"""

from __future__ import annotations

from types import MappingProxyType

import attrs

from cpcase.forms._base import FormBase
from cpcase.forms.assessment import InDepthAssessmentForm, InitialAssessmentForm
from cpcase.forms.best_interests import BestInterestsAssessment, BestInterestsDetermination
from cpcase.forms.case_plan import CaseConferenceReport, IndividualActionPlan
from cpcase.forms.closure import AdultFeedback, CaseClosure, ChildFeedback
from cpcase.forms.consent import ConsentForm
from cpcase.forms.file_tools import FileChecklist, FileCoverPage
from cpcase.forms.follow_up import CaseFollowUp, CaseReview, FollowUpConferenceReport
from cpcase.forms.ftr import (
    AdultVerificationForm,
    ChildLocationForm,
    ChildVerificationForm,
    MissingChildForm,
    ReunificationForm,
    UascRegistrationForm,
)
from cpcase.forms.referral import CommunityReferral, FileTransfer, Referral
from cpcase.forms.registration import RegistrationForm
from cpcase.forms.reopening import CaseReopening
from cpcase.forms.service_map import ServiceProviderRecord
from cpcase.forms.services import ServicesProvided
from cpcase.vocab.core import FormClass, Step

__all__ = ["CATALOGUE", "CatalogueEntry", "get_form"]

_MODELS: tuple[type[FormBase], ...] = (
    ConsentForm,
    RegistrationForm,
    InitialAssessmentForm,
    UascRegistrationForm,
    MissingChildForm,
    InDepthAssessmentForm,
    IndividualActionPlan,
    CaseConferenceReport,
    ServicesProvided,
    ChildLocationForm,
    AdultVerificationForm,
    ChildVerificationForm,
    ReunificationForm,
    CaseFollowUp,
    CaseReview,
    FollowUpConferenceReport,
    CaseClosure,
    ChildFeedback,
    AdultFeedback,
    Referral,
    FileTransfer,
    CommunityReferral,
    CaseReopening,
    FileCoverPage,
    FileChecklist,
    ServiceProviderRecord,
    BestInterestsAssessment,
    BestInterestsDetermination,
)


@attrs.frozen
class CatalogueEntry:
    """One form of the catalogue."""

    code: str
    model: type[FormBase]
    step: Step
    form_class: FormClass
    name_fr: str
    name_en: str

    def name(self, lang: str = "fr") -> str:
        """The form's name in ``lang``."""
        return self.name_fr if lang == "fr" else self.name_en


CATALOGUE: MappingProxyType[str, CatalogueEntry] = MappingProxyType(
    {
        m.form_code: CatalogueEntry(
            code=m.form_code,
            model=m,
            step=m.step,
            form_class=m.form_class,
            name_fr=m.name_fr,
            name_en=m.name_en,
        )
        for m in _MODELS
    }
)


def get_form(code: str) -> type[FormBase]:
    """The model of form ``code`` (case-insensitive, e.g. ``"3.a"``); ``KeyError`` if unknown."""
    key = code.strip().upper()
    if key not in CATALOGUE:
        raise KeyError(code)
    return CATALOGUE[key].model
