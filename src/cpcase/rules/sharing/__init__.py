"""Information sharing and data protection (Mali SOP 2020 §6, §9.5–§9.6; CM course §6).

* :mod:`.matrix` — the sharing matrix as policy data (TOML in ``profiles/``), loader and override;
* :mod:`.consent` — consent/assent thresholds (not from the seeds) and consent status;
* :mod:`.share` — :func:`share` (filtered view + audit record) and :func:`consent_status`;
* :mod:`.pseudonyms` — the separate code↔name list and keyed HMAC pseudonyms;
* :mod:`.indicators` — the monthly data sheet, scope-checked and suppressed;
* :mod:`.suppression` — small-cell suppression with complementary suppression.
"""

from cpcase.rules.sharing.consent import *  # noqa: F403
from cpcase.rules.sharing.consent import __all__ as _consent_all
from cpcase.rules.sharing.indicators import *  # noqa: F403
from cpcase.rules.sharing.indicators import __all__ as _indicators_all
from cpcase.rules.sharing.matrix import *  # noqa: F403
from cpcase.rules.sharing.matrix import __all__ as _matrix_all
from cpcase.rules.sharing.pseudonyms import *  # noqa: F403
from cpcase.rules.sharing.pseudonyms import __all__ as _pseudonyms_all
from cpcase.rules.sharing.share import *  # noqa: F403
from cpcase.rules.sharing.share import __all__ as _share_all
from cpcase.rules.sharing.suppression import *  # noqa: F403
from cpcase.rules.sharing.suppression import __all__ as _suppression_all

__all__ = sorted(
    [
        *_consent_all,
        *_indicators_all,
        *_matrix_all,
        *_pseudonyms_all,
        *_share_all,
        *_suppression_all,
    ]
)
