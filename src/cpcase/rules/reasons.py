"""Machine-readable reasons with French and English text, shared by every rule result.

A rule never returns a sentence to parse: it returns :class:`Reason` objects whose ``code`` is
stable (tests and programs match on it), whose ``rule`` is the policy key that produced it (look
it up with ``policy.lookup(rule)`` for the value and its citation), whose ``source`` cites the seed
when no policy value is involved, and whose ``fr``/``en`` texts are for people.
"""

from __future__ import annotations

import attrs

from cpcase.labels import Lang

__all__ = ["Reason", "codes"]


@attrs.frozen
class Reason:
    """Why a rule decided what it decided."""

    code: str
    fr: str
    en: str
    rule: str | None = None
    source: str = ""

    def text(self, lang: Lang = "fr") -> str:
        """The human-readable reason in ``lang``."""
        return self.fr if lang == "fr" else self.en


def codes(reasons: tuple[Reason, ...]) -> tuple[str, ...]:
    """The codes of ``reasons``, in order (handy in tests and logs)."""
    return tuple(r.code for r in reasons)
