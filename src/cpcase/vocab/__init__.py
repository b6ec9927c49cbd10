"""Vocabularies: stable codes with French and English labels, seed citations and CPIMS+ option ids.

Every enumeration is a :class:`cpcase.labels.LabelledEnum`; ``member.label("fr")``,
``member.source`` and ``member.cpims`` give its labels, citation and CPIMS+ equivalent.
"""

from cpcase.vocab.core import *  # noqa: F403
from cpcase.vocab.core import __all__ as _core_all
from cpcase.vocab.protection import *  # noqa: F403
from cpcase.vocab.protection import __all__ as _protection_all
from cpcase.vocab.services import *  # noqa: F403
from cpcase.vocab.services import __all__ as _services_all

__all__ = sorted([*_core_all, *_protection_all, *_services_all])
