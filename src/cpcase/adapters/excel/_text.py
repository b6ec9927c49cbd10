"""Text normalisation shared by the readers, the column matcher and the value coercers.

Registers are typed by hand: accents come and go ("Eleve"/"Élevé"), Excel inserts non-breaking
spaces, copy-paste brings zero-width characters and decomposed accents. Two normal forms are
used: :func:`clean_text` keeps the text as the person typed it (NFC, ordinary spaces, trimmed),
and :func:`fold` is the matching key (no accents, case-folded, punctuation to spaces).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean_text", "fold", "fold_header", "strip_hints"]

# Spaces Excel and word processors use in French text (NBSP before ":", thin NBSP in numbers).
_SPACES = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u3000": " ",
        "\u200b": None,  # zero-width space
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,  # stray BOM inside a cell
        "\u00ad": None,  # soft hyphen
        "\r": "\n",
    }
)
_RUNS = re.compile(r"[ \t]+")
_LINES = re.compile(r" *\n[\n ]*")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_HINTS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_NUMERO = re.compile(r"(?:\bn\s*[°º]|#)", re.IGNORECASE)
_TOKEN_ALIASES = {"no": "numero", "num": "numero", "nro": "numero", "nbr": "nombre"}


def clean_text(value: str) -> str:
    """``value`` in NFC with ordinary spaces, runs of spaces collapsed, trimmed.

    Line breaks are kept (single ``\\n``) because multi-valued cells use them as separators.
    """
    if value.isascii():
        text = value.replace("\r", "\n")
    else:
        text = unicodedata.normalize("NFC", value).translate(_SPACES)
    if "  " in text or "\t" in text:
        text = _RUNS.sub(" ", text)
    if "\n" in text:
        text = _LINES.sub("\n", text)
    return text.strip(" \n")


@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Matching key for values: no accents, case-folded, punctuation and spaces → " ".

    >>> fold("  Élevé\u00a0")
    'eleve'
    >>> fold("Garc\u0327on")
    'garcon'
    """
    text = unicodedata.normalize("NFKD", value.translate(_SPACES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=16384)
def fold_header(value: str) -> str:
    """Matching key for column headers: :func:`fold`, and "N°", "No", "#" → "numero".

    >>> fold_header("  Date de naissance (jj/mm/aaaa) ")
    'date de naissance jj mm aaaa'
    >>> fold_header("N° dossier"), fold_header("No. dossier"), fold_header("# dossier")
    ('numero dossier', 'numero dossier', 'numero dossier')
    """
    text = _NUMERO.sub(" numero ", value.translate(_SPACES))
    return " ".join(_TOKEN_ALIASES.get(w, w) for w in fold(text).split())


def strip_hints(value: str) -> str:
    """``value`` without bracketed hints: "Sexe (M/F)" → "Sexe", "Âge [ans]" → "Âge"."""
    return _HINTS.sub(" ", value)
