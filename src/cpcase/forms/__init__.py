"""Typed pydantic models for every form of the Mali harmonised catalogue, with FR/EN labels.

Use :data:`CATALOGUE` (code → model, step, class, names) or :func:`get_form` to find a form by its
code; every model validates strictly (unknown fields rejected) and names fields in its errors.
"""

from cpcase.forms._base import *  # noqa: F403
from cpcase.forms._base import __all__ as _base_all
from cpcase.forms.assessment import *  # noqa: F403
from cpcase.forms.assessment import __all__ as _assessment_all
from cpcase.forms.best_interests import *  # noqa: F403
from cpcase.forms.best_interests import __all__ as _best_interests_all
from cpcase.forms.case_plan import *  # noqa: F403
from cpcase.forms.case_plan import __all__ as _case_plan_all
from cpcase.forms.catalogue import *  # noqa: F403
from cpcase.forms.catalogue import __all__ as _catalogue_all
from cpcase.forms.closure import *  # noqa: F403
from cpcase.forms.closure import __all__ as _closure_all
from cpcase.forms.consent import *  # noqa: F403
from cpcase.forms.consent import __all__ as _consent_all
from cpcase.forms.file_tools import *  # noqa: F403
from cpcase.forms.file_tools import __all__ as _file_tools_all
from cpcase.forms.follow_up import *  # noqa: F403
from cpcase.forms.follow_up import __all__ as _follow_up_all
from cpcase.forms.ftr import *  # noqa: F403
from cpcase.forms.ftr import __all__ as _ftr_all
from cpcase.forms.referral import *  # noqa: F403
from cpcase.forms.referral import __all__ as _referral_all
from cpcase.forms.registration import *  # noqa: F403
from cpcase.forms.registration import __all__ as _registration_all
from cpcase.forms.reopening import *  # noqa: F403
from cpcase.forms.reopening import __all__ as _reopening_all
from cpcase.forms.service_map import *  # noqa: F403
from cpcase.forms.service_map import __all__ as _service_map_all
from cpcase.forms.services import *  # noqa: F403
from cpcase.forms.services import __all__ as _services_all

__all__ = sorted(
    [
        *_base_all,
        *_consent_all,
        *_registration_all,
        *_assessment_all,
        *_ftr_all,
        *_case_plan_all,
        *_services_all,
        *_follow_up_all,
        *_closure_all,
        *_referral_all,
        *_reopening_all,
        *_file_tools_all,
        *_service_map_all,
        *_best_interests_all,
        *_catalogue_all,
    ]
)
