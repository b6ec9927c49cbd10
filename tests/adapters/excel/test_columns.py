"""Column headers: French and English synonyms, hints, filler words, mapping files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.columns import FIELDS, FIELDS_BY_KEY, VALUE_SYNONYMS, match_header
from cpcase.adapters.excel.errors import MappingFileError
from cpcase.adapters.excel.export import TEMPLATE_KEYS
from cpcase.adapters.excel.header import find_header
from cpcase.adapters.excel.mapping import MappingConfig, load_mapping, map_columns


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("N° dossier", "register_number"),
        ("No. dossier", "register_number"),
        ("Numéro d'enregistrement", "register_number"),
        ("Date de naissance (jj/mm/aaaa)", "date_of_birth"),
        ("DATE DE NAISSANCE", "date_of_birth"),
        ("Date de naissance de l'enfant", "date_of_birth"),
        ("DDN", "date_of_birth"),
        ("Sexe (M/F)", "sex"),
        ("Sexe de l'enfant", "sex"),
        ("Genre", "sex"),
        ("Niveau de risque", "risk_level"),
        ("Risque (Élevé/Moyen/Faible)", "risk_level"),
        ("Nom", "name_last"),
        ("Prénom(s)", "name_first"),
        ("Nom et prénom(s)", "full_name"),
        ("Nom de l'enfant", "full_name"),
        ("Âge", "age"),
        ("Age (ans)", "age"),
        ("Problème principal", "protection_concern_primary"),
        ("Type de cas", "protection_concern_primary"),
        ("Autres problèmes", "protection_concerns_secondary"),
        ("Consentement (O/N)", "consent_obtained"),
        ("Accord de l'enfant ?", "consent_child"),
        ("Gestionnaire de cas", "caseworker"),
        ("Téléphone", "caregiver_phone"),
        ("Tél.", "caregiver_phone"),
        ("ENA/ES", "separation_status"),
        ("Fille-mère", "child_mother"),
        ("Date of birth", "date_of_birth"),
        ("Risk level", "risk_level"),
        ("Case worker", "caseworker"),
        ("Sex", "sex"),
    ],
)
def test_header_synonyms(header: str, key: str) -> None:
    """Real-world header spellings map to the right field, whatever the case and accents."""
    assert match_header(header) == key


@pytest.mark.parametrize("header", ["Observations", "Colonne1", "Total", ""])
def test_unknown_headers(header: str) -> None:
    """Headers that name no field are left unmapped (never guessed)."""
    assert match_header(header) is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_template_labels_map_to_their_own_field(lang: str) -> None:
    """Every template column header converts back to its own field (round trips need it)."""
    for key in TEMPLATE_KEYS:
        assert match_header(FIELDS_BY_KEY[key].label(lang)) == key, key


def test_field_keys_are_unique_and_vocabularies_known() -> None:
    """Keys are unique; enum fields have a vocabulary; synonym tables name real codes."""
    assert len({f.key for f in FIELDS}) == len(FIELDS)
    for field in FIELDS:
        if field.kind.value in ("enum", "multi"):
            assert field.vocab is not None, field.key
    for vocab, table in VALUE_SYNONYMS.items():
        codes = {m.value for m in vocab}
        assert set(table.values()) <= codes, vocab.__name__


def test_mapping_file_columns_values_defaults(tmp_path: Path) -> None:
    """A mapping file renames columns, keeps custom ones, ignores some, and maps values."""
    path = tmp_path / "m.toml"
    path.write_text(
        """
sheet = "Registre"
header_row = 3
[columns]
"Col A" = "register_number"
"Remarques" = "extra:remarques"
"Calcul" = "ignore"
[values.sex]
"1" = "male"
[defaults]
organisation = "TDH"
identification_source = "referral"
[case_code]
region = "MOP"
org = "TDH"
""",
        encoding="utf-8",
    )
    config = load_mapping(path)
    assert config.sheet == "Registre"
    assert config.header_row == 3
    column_map = map_columns(["Col A", "Remarques", "Calcul", "Sexe", "Sexe"], config)
    targets = [(c.target, c.how) for c in column_map.columns]
    assert targets == [
        ("register_number", "mapping"),
        ("extra:remarques", "mapping"),
        (None, "ignored"),
        ("sex", "builtin"),
        (None, "duplicate"),
    ]
    assert config.values["sex"] == {"1": "male"}
    assert config.default_for("identification_source") == "referral"
    assert config.default_for("identified_by") == "other"  # built-in default kept
    assert config.case_code.region == "MOP"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[columns]\n"A" = "sexe"', "columns.A"),
        ('[values.sex]\n"1" = "garcon"', "values.sex.1"),
        ('[values.age]\n"1" = "x"', "values.age"),
        ('[defaults]\nrisk_level = "tres haut"', "defaults.risk_level"),
        ('[case_code]\nregion = "mopti"', "case_code.region"),
        ("colour = 1", "colour"),
        ("header_row = 0", "header_row"),
    ],
)
def test_mapping_file_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    """A bad mapping file is refused with the key at fault (and a suggestion where possible)."""
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingFileError) as info:
        load_mapping(path)
    assert key in str(info.value)


def test_invalid_toml(tmp_path: Path) -> None:
    """A syntax error is reported as a mapping-file error, not a crash."""
    path = tmp_path / "bad.toml"
    path.write_text("[columns\n", encoding="utf-8")
    with pytest.raises(MappingFileError):
        load_mapping(path)


def test_header_row_below_title_rows() -> None:
    """Title rows above the header (even repeated across a merge) are skipped."""
    rows = [
        RawRow(1, ("REGISTRE 2023",) * 6),
        RawRow(2, ("Organisation : ORG", None, None, "Période : 2023")),
        RawRow(4, ("N° dossier", "Date", "Nom", "Sexe (M/F)", "Âge", "Risque")),
        RawRow(5, (1.0, "12/03/2023", "FICTIF Awa", "F", 12.0, "Élevé")),
    ]
    guess = find_header(rows)
    assert guess is not None
    assert guess.row == 4
    assert guess.matched == 6


def test_two_row_header_under_a_merged_group() -> None:
    """ "Consentement" merged over "Enfant" and "Parent" reads as two consent columns."""
    rows = [
        RawRow(1, ("Nom", "Sexe", "Consentement", "Consentement")),
        RawRow(2, ("Nom", "Sexe", "Enfant", "Parent")),
        RawRow(3, ("FICTIF", "F", "Oui", "Non")),
    ]
    guess = find_header(rows)
    assert guess is not None
    assert guess.row == 2
    columns = map_columns(list(guess.names), MappingConfig())
    assert [c.target for c in columns.columns] == [
        "name_last",
        "sex",
        "consent_child",
        "consent_caregiver",
    ]
