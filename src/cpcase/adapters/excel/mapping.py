"""Column mapping: built-in synonyms, a user TOML mapping file, and the draft writer.

A mapping file lets a data officer fix what the built-in synonyms do not know, without Python::

    # cpcase register mapping (TOML)
    sheet = "Registre 2020"        # optional: the sheet to read
    header_row = 3                 # optional: the row holding the column names
    dayfirst = true                # text dates are day/month/year (default)

    [columns]                      # header as written in the register = field key
    "N° d'ordre" = "register_number"
    "Observations" = "extra:observations"   # kept verbatim in the case's extra fields
    "Colonne de calcul" = "ignore"

    [values.sex]                   # field key, then value as typed = vocabulary code
    "1" = "male"
    "2" = "female"

    [defaults]                     # used when the column is absent or the cell empty
    organisation = "TDH"
    identification_source = "report"

    [case_code]                    # parts of generated case codes
    country = "ML"
    region = "MOP"
    org = "TDH"

Field keys are listed by ``cpcase mapping suggest`` and in docs/registers.md.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from cpcase.adapters.excel._text import fold_header
from cpcase.adapters.excel.coerce import short_label, vocab_member
from cpcase.adapters.excel.columns import FIELDS, FIELDS_BY_KEY, FieldKind, match_header
from cpcase.adapters.excel.errors import MappingFileError
from cpcase.codes import CaseCodeFormat
from cpcase.errors import CaseCodeError

__all__ = [
    "BUILTIN_DEFAULTS",
    "CaseCodeSettings",
    "ColumnMap",
    "MappedColumn",
    "MappingConfig",
    "load_mapping",
    "map_columns",
    "mapping_draft",
]

_EXTRA = re.compile(r"^extra:([a-z][a-z0-9_]{0,63})$")
_SEGMENT = re.compile(r"^[A-Z0-9]{2,8}$")

#: Values used for required fields when the register has no such column (listed in the
#: summary each time they are used; a mapping file's ``[defaults]`` overrides them).
BUILTIN_DEFAULTS: Mapping[str, str] = {
    "identification_source": "report",
    "identified_by": "other",
    "eligibility_outcome": "case_opened",
    "consent_mode": "written_form",
}


@attrs.frozen
class CaseCodeSettings:
    """How case codes are generated for rows without a valid code."""

    country: str = "ML"
    region: str | None = None  # None: from the row's region, else "XX"
    org: str | None = None  # None: the organisation code, else "ORG"
    template: str = "{country}-{region}-{org}-{year}-{seq}"
    seq_width: int = 5

    @property
    def format(self) -> CaseCodeFormat:
        """The case-code format."""
        return CaseCodeFormat(template=self.template, seq_width=self.seq_width)


@attrs.frozen
class MappingConfig:
    """Everything a mapping file can set (all optional)."""

    sheet: str | None = None
    header_row: int | None = None
    dayfirst: bool = True
    encoding: str | None = None
    delimiter: str | None = None
    columns: Mapping[str, str] = attrs.field(factory=dict)  # folded header -> target
    values: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)  # key -> raw -> code
    defaults: Mapping[str, Any] = attrs.field(factory=dict)
    case_code: CaseCodeSettings = CaseCodeSettings()
    source: Path | None = None

    def default_for(self, key: str) -> Any:
        """The configured default for field ``key`` (mapping file first, then built-in)."""
        if key in self.defaults:
            return self.defaults[key]
        return BUILTIN_DEFAULTS.get(key)


def _fail(path: Path, key: str, en: str, fr: str) -> MappingFileError:
    return MappingFileError(f"key '{key}': {en}", f"clé « {key} » : {fr}", path=path)


def _check_target(path: Path, key: str, target: str) -> str:
    if target == "ignore" or target in FIELDS_BY_KEY or _EXTRA.match(target):
        return target
    close = difflib.get_close_matches(target, list(FIELDS_BY_KEY), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    hint_fr = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
    raise _fail(
        path,
        key,
        f"unknown field '{target}'{hint}; use a field key, 'extra:name' or 'ignore'",
        f"champ inconnu « {target} »{hint_fr} ; utilisez une clé de champ, « extra:nom » ou "
        "« ignore »",
    )


def load_mapping(path: Path | str) -> MappingConfig:
    """Read and check a TOML mapping file; :class:`MappingFileError` names the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingFileError(
            "mapping file not found", "fichier de correspondance introuvable", path=path
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingFileError(
            f"not valid TOML ({exc})", f"TOML invalide ({exc})", path=path
        ) from None
    known = {
        "sheet",
        "header_row",
        "dayfirst",
        "encoding",
        "delimiter",
        "columns",
        "values",
        "defaults",
        "case_code",
    }
    for key in data:
        if key not in known:
            raise _fail(path, key, "unknown key", "clé inconnue")
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise _fail(path, "sheet", "expected text", "texte attendu")
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise _fail(path, "header_row", "expected a row number >= 1", "numéro de ligne attendu")
    dayfirst = data.get("dayfirst", True)
    if not isinstance(dayfirst, bool):
        raise _fail(path, "dayfirst", "expected true or false", "true ou false attendu")
    encoding = data.get("encoding")
    delimiter = data.get("delimiter")
    for name, value in (("encoding", encoding), ("delimiter", delimiter)):
        if value is not None and not isinstance(value, str):
            raise _fail(path, name, "expected text", "texte attendu")
    if delimiter is not None and len(delimiter) != 1:
        raise _fail(path, "delimiter", "expected one character", "un caractère attendu")
    columns: dict[str, str] = {}
    raw_columns = data.get("columns", {})
    if not isinstance(raw_columns, dict):
        raise _fail(path, "columns", "expected a table", "table attendue")
    for header, target in raw_columns.items():
        if not isinstance(target, str):
            raise _fail(path, f"columns.{header}", "expected text", "texte attendu")
        columns[fold_header(header)] = _check_target(path, f"columns.{header}", target.strip())
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values", {})
    if not isinstance(raw_values, dict):
        raise _fail(path, "values", "expected a table", "table attendue")
    for key, table in raw_values.items():
        field = FIELDS_BY_KEY.get(key)
        if field is None or field.vocab is None:
            raise _fail(
                path,
                f"values.{key}",
                "not a field with a list of values",
                "pas un champ à liste de valeurs",
            )
        if not isinstance(table, dict):
            raise _fail(path, f"values.{key}", "expected a table", "table attendue")
        codes = {m.value for m in field.vocab}
        entries: dict[str, str] = {}
        for raw, code in table.items():
            if not isinstance(code, str) or code not in codes:
                raise _fail(
                    path,
                    f"values.{key}.{raw}",
                    f"unknown code; codes are: {', '.join(sorted(codes))}",
                    f"code inconnu ; les codes sont : {', '.join(sorted(codes))}",
                )
            entries[raw] = code
        values[key] = entries
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise _fail(path, "defaults", "expected a table", "table attendue")
    for key, value in defaults.items():
        if key not in FIELDS_BY_KEY:
            raise _check_target(path, f"defaults.{key}", key)  # type: ignore[misc]
        field = FIELDS_BY_KEY[key]
        if field.vocab is not None and field.kind is FieldKind.ENUM:
            codes = {m.value for m in field.vocab}
            if value not in codes:
                raise _fail(
                    path,
                    f"defaults.{key}",
                    f"unknown code; codes are: {', '.join(sorted(codes))}",
                    f"code inconnu ; les codes sont : {', '.join(sorted(codes))}",
                )
        elif not isinstance(value, (str, bool, int)):
            raise _fail(
                path,
                f"defaults.{key}",
                "expected text, a number or true/false",
                "texte, nombre ou true/false attendu",
            )
    raw_code = data.get("case_code", {})
    if not isinstance(raw_code, dict):
        raise _fail(path, "case_code", "expected a table", "table attendue")
    unknown = set(raw_code) - {"country", "region", "org", "template", "seq_width"}
    if unknown:
        raise _fail(path, f"case_code.{sorted(unknown)[0]}", "unknown key", "clé inconnue")
    for part in ("country", "region", "org"):
        value = raw_code.get(part)
        if value is not None and (not isinstance(value, str) or not _SEGMENT.match(value)):
            raise _fail(
                path,
                f"case_code.{part}",
                "expected 2-8 upper-case letters or digits",
                "2 à 8 majuscules ou chiffres attendus",
            )
    settings = CaseCodeSettings(
        country=raw_code.get("country", "ML"),
        region=raw_code.get("region"),
        org=raw_code.get("org"),
        template=raw_code.get("template", "{country}-{region}-{org}-{year}-{seq}"),
        seq_width=raw_code.get("seq_width", 5),
    )
    try:
        settings.format  # noqa: B018 - validates the template
    except CaseCodeError as exc:
        raise _fail(path, "case_code.template", str(exc), str(exc)) from None
    return MappingConfig(
        sheet=sheet,
        header_row=header_row,
        dayfirst=dayfirst,
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        values=values,
        defaults=dict(defaults),
        case_code=settings,
        source=path,
    )


@attrs.frozen
class MappedColumn:
    """One column of the register and what it feeds.

    ``target`` is a field key, ``extra:<name>``, or ``None`` (not recognised, or ignored);
    ``how`` says why: "builtin", "mapping", "ignored", "duplicate" (the field was already fed
    by an earlier column), "unknown" or "empty" (no header).
    """

    index: int
    header: str
    target: str | None
    how: str
    duplicate_of: int | None = None


@attrs.frozen
class ColumnMap:
    """The mapping of one sheet's columns."""

    columns: tuple[MappedColumn, ...]

    @property
    def mapped(self) -> tuple[MappedColumn, ...]:
        """Columns that feed a field or an extra field."""
        return tuple(c for c in self.columns if c.target is not None)

    @property
    def unmapped(self) -> tuple[MappedColumn, ...]:
        """Columns with a header that feed nothing (unknown, ignored or duplicate)."""
        return tuple(c for c in self.columns if c.target is None and c.how != "empty")

    def index_of(self, key: str) -> int | None:
        """The column index feeding field ``key``."""
        for column in self.columns:
            if column.target == key:
                return column.index
        return None

    def keys(self) -> frozenset[str]:
        """Field keys fed by some column."""
        return frozenset(c.target for c in self.columns if c.target is not None)


def map_columns(names: Sequence[str], config: MappingConfig) -> ColumnMap:
    """Map header ``names`` to fields: the mapping file first, then the built-in synonyms.

    When two columns name the same field, the first wins and the second is reported.
    """
    out: list[MappedColumn] = []
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name.strip():
            out.append(MappedColumn(index, name, None, "empty"))
            continue
        folded = fold_header(name)
        if folded in config.columns:
            target: str | None = config.columns[folded]
            how = "mapping"
            if target == "ignore":
                out.append(MappedColumn(index, name, None, "ignored"))
                continue
        else:
            target = match_header(name)
            how = "builtin" if target is not None else "unknown"
        if target is not None and target in seen:
            out.append(MappedColumn(index, name, None, "duplicate", duplicate_of=seen[target]))
            continue
        if target is not None:
            seen[target] = index
        out.append(MappedColumn(index, name, target, how))
    return ColumnMap(tuple(out))


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def mapping_draft(
    *,
    register_name: str,
    sheet: str,
    header_row: int,
    column_map: ColumnMap,
    lang: str = "fr",
) -> str:
    """A commented TOML mapping the data officer edits: every column with its field (or a
    suggestion), the defaults used for absent required columns, and the field list."""
    fr = lang == "fr"
    lines = [
        "# "
        + (
            f"Correspondance des colonnes pour {register_name}"
            if fr
            else f"Column mapping for {register_name}"
        ),
        "# "
        + (
            "Modifiez puis utilisez : cpcase convert REGISTRE -o SORTIE --mapping CE_FICHIER"
            if fr
            else "Edit, then run: cpcase convert REGISTER -o OUT --mapping THIS_FILE"
        ),
        "",
        f"sheet = {_toml_str(sheet)}",
        f"header_row = {header_row}",
        "dayfirst = true",
        "",
        "[columns]",
    ]
    keys = {f.key for f in FIELDS}
    for column in column_map.columns:
        if column.how == "empty":
            continue
        header = _toml_str(column.header)
        if column.target is not None:
            field = FIELDS_BY_KEY.get(column.target)
            label = field.label(lang) if field else column.target
            lines.append(f"{header} = {_toml_str(column.target)}  # {label}")
            continue
        if column.how == "duplicate":
            note = (
                (
                    f"déjà fourni par la colonne {column.duplicate_of + 1}"
                    if fr
                    else f"already fed by column {column.duplicate_of + 1}"
                )
                if (column.duplicate_of is not None)
                else ""
            )
            lines.append(f'{header} = "ignore"  # {note}')
            continue
        close = difflib.get_close_matches(
            fold_header(column.header),
            [fold_header(s) for f in FIELDS for s in (f.label_fr, f.label_en, *f.synonyms)],
            n=1,
            cutoff=0.82,
        )
        suggestion = None
        if close:
            suggestion = match_header(close[0])
        if suggestion is not None and suggestion in keys:
            note = "suggestion, à vérifier" if fr else "suggestion, check it"
            lines.append(f"# {header} = {_toml_str(suggestion)}  # {note}")
        else:
            note = (
                "colonne non reconnue : conservez-la avec extra:nom ou ignorez-la"
                if fr
                else "unrecognised column: keep it with extra:name or ignore it"
            )
            slug = (
                re.sub(r"[^a-z0-9]+", "_", fold_header(column.header)).strip("_")[:40] or "column"
            )
            if not slug[0].isalpha():
                slug = f"c_{slug}"
            lines.append(f'{header} = "extra:{slug}"  # {note}')
    mapped = column_map.keys()
    lines += ["", "[defaults]"]
    lines.append(
        "# "
        + (
            "Valeurs utilisées quand une colonne obligatoire manque :"
            if fr
            else "Values used when a required column is missing:"
        )
    )
    if "organisation" not in mapped:
        lines.append(
            'organisation = "ORG"  # '
            + ("code de votre organisation" if fr else "your organisation's code")
        )
    for key, code in BUILTIN_DEFAULTS.items():
        if key in mapped:
            continue
        field = FIELDS_BY_KEY[key]
        label = field.label(lang)
        if field.vocab is not None:
            member = vocab_member(field.vocab, code)
            choices = ", ".join(m.value for m in field.vocab)
            lines.append(
                f"{key} = {_toml_str(code)}  # {label} : {short_label(member, 'fr' if fr else 'en')} ({choices})"
            )
    if "protection_concern_primary" not in mapped:
        lines.append(
            '# protection_concern_primary = "other"  # '
            + (
                "obligatoire : ajoutez la colonne ou une valeur"
                if fr
                else "required: add the column or a value"
            )
        )
    if "sex" not in mapped:
        lines.append(
            "# "
            + (
                "sexe obligatoire : la colonne manque"
                if fr
                else "sex is required: the column is missing"
            )
        )
    lines += [
        "",
        "[case_code]",
        'country = "ML"',
        '# region = "MOP"  # '
        + ("sinon d'après la colonne Région" if fr else "otherwise from the Region column"),
        '# org = "ORG"',
        "",
        "# " + ("Champs disponibles :" if fr else "Available fields:"),
    ]
    for field in FIELDS:
        lines.append(f"#   {field.key:32} {field.label(lang)}")
    return "\n".join(lines) + "\n"
