"""Synthetic registers: the bundled French sample and large registers for the benchmarks.

Every name is invented and marked as such (surnames such as "FICTIF", "EXEMPLE"); no real child
data is used anywhere. The sample reproduces what real registers look like: a title row and an
information row above the header, merged cells, French headers with hints ("Sexe (M/F)"),
dates typed every way (date cells, "12/03/2019", "12-3-19", "2019-03-12", "12 mars 2019",
unformatted serial numbers, a year alone), "M"/"Garçon"/"masculin", "Élevé"/"Haut"/"ELEVE",
formulas with cached values (including ``#N/A``), blank rows, duplicates, people aged 18 or
more, phone numbers typed as numbers, non-breaking spaces, decomposed accents, and text that
starts like a formula.

Regenerate the bundled file with ``python -m cpcase.adapters.excel.sample`` (deterministic:
same seed, same bytes).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cpcase.adapters.excel._xlsxwrite import Formula, Style, Styled, XlsxWriter
from cpcase.adapters.excel.cells import ExcelError

__all__ = [
    "SAMPLE_HEADERS",
    "SAMPLE_REGISTER",
    "sample_rows",
    "write_large_register",
    "write_sample_register",
]

#: The bundled register (300 rows).
SAMPLE_REGISTER = Path(__file__).resolve().parents[2] / "data" / "registre_exemple.xlsx"

SAMPLE_HEADERS = (
    "N° dossier",
    "Date d'enregistrement",
    "Nom et prénom(s)",
    "Sexe (M/F)",
    "Date de naissance (jj/mm/aaaa)",
    "Âge",
    "Région",
    "Commune / quartier",
    "Source d'identification",
    "Problème principal",
    "Autres problèmes",
    "Niveau de risque",
    "Urgence (O/N)",
    "Accord de l'enfant",
    "Accord du parent/tuteur",
    "Nom du parent/tuteur",
    "Téléphone",
    "Gestionnaire de cas",
    "ENA/ES",
    "Observations",
)

_FIRST_F = (
    "Aminata",
    "Fatoumata",
    "Mariam",
    "Awa",
    "Kadiatou",
    "Oumou",
    "Hawa",
    "Aïssata",
    "Bintou",
    "Djeneba",
    "Salimata",
    "Rokia",
    "Assitan",
    "Fanta",
    "Nana",
)
_FIRST_M = (
    "Moussa",
    "Mamadou",
    "Ibrahim",
    "Seydou",
    "Boubacar",
    "Oumar",
    "Adama",
    "Souleymane",
    "Bakary",
    "Issa",
    "Lassana",
    "Drissa",
    "Modibo",
    "Yacouba",
    "Sékou",
)
_LAST = (
    "FICTIF",
    "EXEMPLE",
    "DÉMO",
    "ESSAI",
    "FACTICE",
    "MODÈLE",
    "INVENTÉ",
    "SIMULÉ",
    "TÉMOIN",
    "IMAGINAIRE",
)
_REGIONS = (
    "Mopti",
    "Mopti",
    "Mopti",
    "Ségou",
    "Bamako",
    "Tombouctou",
    "Gao",
    "Sikasso",
    "Kayes",
    "MOPTI",
    "Segou",
)
_COMMUNES = (
    "Sévaré",
    "Mopti commune",
    "Bandiagara",
    "Djenné",
    "Socoura",
    "Fatoma",
    "Konna",
    "Bankass",
    "Quartier Gangal",
    "Médine",
)
_SOURCES = (
    "Signalement",
    "Référencement",
    "Stratégie avancée",
    "Auto-saisie",
    "Interpellation",
    "signalement",
    "Référé",
)
_CONCERNS = (
    "Négligence",
    "Abus sexuel",
    "Violence physique",
    "Travail des enfants",
    "Mendicité",
    "Enfant non accompagné",
    "Mariage précoce",
    "Abandon",
    "Orphelin",
    "ECL",
    "EAFGA",
    "Exploitation sexuelle",
    "Viol",
    "Enfant séparé",
    "Maltraitance",
    "negligence",
)
_SECONDARY = (
    "",
    "",
    "",
    "Détresse psychosociale",
    "Sans acte de naissance; Orphelin",
    "Travail des enfants, Mendicité",
    "Drogue",
    "Grossesse",
    "Abandon / Négligence",
)
_RISKS = (
    "Élevé",
    "Elevé",
    "Haut",
    "ELEVE",
    "Moyen",
    "Moyenne",
    "moyen",
    "Faible",
    "Bas",
    "faible",
    "Nul",
)
_SEX_M = ("M", "M", "Garçon", "masculin", "G", "m ")
_SEX_F = ("F", "F", "Fille", "Féminin", "f", "F ")
_YES = ("Oui", "oui", "O", "X", "OUI", "Yes")
_NO = ("Non", "non", "N", "NON")
_WORKERS = ("GC-01", "GC-02", "GC-03", "GC-04", "AS-Mopti-1", "AS-Mopti-2")
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_EPOCH = dt.date(1899, 12, 30)


def _date_cell(rng: random.Random, day: dt.date, *, messy: bool) -> Any:
    """A date the way people type it."""
    if not messy:
        return day
    style = rng.random()
    if style < 0.45:
        return day
    if style < 0.62:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style < 0.70:
        return f"{day.day}-{day.month}-{day.year % 100:02d}"
    if style < 0.77:
        return day.isoformat()
    if style < 0.84:
        return f"{day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    if style < 0.90:
        return float((day - _EPOCH).days)  # unformatted serial number
    if style < 0.95:
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}\u00a0"


def sample_rows(
    count: int, *, seed: int = 2023, messy: bool = True, start_row: int = 5
) -> Iterator[list[Any]]:
    """``count`` register rows (lists of cell values in :data:`SAMPLE_HEADERS` order).

    With ``messy``, about one row in six has a problem a data officer must fix, one in forty
    is a person aged 18 or more, and a few rows are duplicates or blank.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    previous: list[list[Any]] = []
    number = 0
    row_number = start_row - 1
    for _ in range(count):
        row_number += 1
        if messy and previous and rng.random() < 0.015:
            yield []  # a blank row left in the middle of the register
            row_number += 1
        number += 1
        if messy and previous and rng.random() < 0.02:
            twin = list(rng.choice(previous))
            twin[0] = number  # the same child registered twice under a new number
            yield twin
            continue
        girl = rng.random() < 0.52
        first = rng.choice(_FIRST_F if girl else _FIRST_M)
        last = rng.choice(_LAST)
        registered = dt.date(2023, 1, 2) + dt.timedelta(days=rng.randrange(360))
        adult = messy and rng.random() < 0.025
        years = rng.randint(18, 19) if adult else rng.randint(0, 17)
        born = registered - dt.timedelta(days=int(years * 365.25) + rng.randrange(300))
        risk = rng.choice(_RISKS)
        emergency = risk in ("Élevé", "Elevé", "Haut", "ELEVE") and rng.random() < 0.3
        row: list[Any] = [
            number,
            _date_cell(rng, registered, messy=messy),
            f"{first} {last}" if rng.random() < 0.9 or not messy else f"{last} {first}",
            rng.choice(_SEX_F if girl else _SEX_M) if messy else ("F" if girl else "M"),
            _date_cell(rng, born, messy=messy),
            None,
            rng.choice(_REGIONS) if messy else "Mopti",
            rng.choice(_COMMUNES),
            rng.choice(_SOURCES),
            rng.choice(_CONCERNS),
            rng.choice(_SECONDARY) if messy else "",
            risk,
            rng.choice(_YES) if emergency else rng.choice(_NO),
            rng.choice(_YES) if rng.random() < 0.85 else rng.choice(_NO),
            rng.choice(_YES) if rng.random() < 0.8 else rng.choice(_NO),
            f"{rng.choice(_FIRST_F + _FIRST_M)} {rng.choice(_LAST)}",
            None,
            rng.choice(_WORKERS),
            rng.choice(("", "", "", "ENA", "ES", "Non")),
            None,
        ]
        age = years
        if messy and rng.random() < 0.3:
            # the age column computed by a formula; Excel cached the value
            row[5] = Formula(f'=DATEDIF(E{row_number},B{row_number},"Y")', float(age))
        elif rng.random() < 0.5:
            row[5] = f"{age} ans" if age else f"{rng.randint(1, 11)} mois"
        else:
            row[5] = age
        phone_kind = rng.random()
        digits = f"{rng.choice((66, 76, 79, 90, 65))}{rng.randrange(10**6):06d}"
        if phone_kind < 0.4:
            row[16] = f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"
        elif phone_kind < 0.7:
            row[16] = float(digits)  # typed as a number
        elif phone_kind < 0.85:
            row[16] = f"+223 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"
        if messy:
            trouble = rng.random()
            if trouble < 0.03:
                row[3] = rng.choice(("?", "X", "inconnu"))  # unreadable sex
            elif trouble < 0.06:
                row[1] = rng.choice(("31/02/2023", "hier", "2023-13-01", None))
            elif trouble < 0.08:
                row[9] = rng.choice(("Problème familial", "Cas social", None))
            elif trouble < 0.10:
                row[6] = Formula("=RECHERCHEV(H6;Listes!A:B;2;FAUX)", ExcelError("#N/A"))
            elif trouble < 0.12:
                row[11] = rng.choice(("Très grave", "Rouge?", "à voir"))
            elif trouble < 0.135:
                row[4] = str(born.year)  # only the year is known
                row[5] = None
            elif trouble < 0.15:
                row[4] = (
                    f"{born.month:02d}/{born.day + 12 if born.day <= 18 else born.day}/{born.year}"
                )
            elif trouble < 0.16:
                row[12] = "Oui"  # emergency with a low risk: contradicts SOP L805
                row[11] = "Faible"
            if rng.random() < 0.04:
                row[19] = rng.choice(
                    (
                        '=HYPERLINK("http://exemple.invalid")',
                        "+ suivi hebdomadaire",
                        "-",
                        "@GC-01 à rappeler",
                        "Visite à domicile prévue",
                    )
                )
            if rng.random() < 0.03:
                row[2] = row[2].replace(" ", "\u00a0", 1)
            if rng.random() < 0.02:
                row[3] = "Fe\u0301minin" if girl else "Garc\u0327on"
        previous.append(row)
        if len(previous) > 50:
            previous.pop(0)
        yield row


def _write(path: Path, rows: Iterator[list[Any]], *, title: bool, merges: bool) -> None:
    fixed = time.struct_time((2024, 1, 1, 0, 0, 0, 0, 1, 0))
    with XlsxWriter(path, fixed_time=fixed) as book:
        if title:
            info = book.add_sheet("Instructions", widths=(100,))
            info.append([Styled("Registre d'enregistrement — données FICTIVES", Style.TITLE)])
            info.append(["Ce classeur est un exemple synthétique : aucun nom n'est réel."])
            info.append(["Une ligne par enfant enregistré. Dates au format jj/mm/aaaa."])
        sheet = book.add_sheet("Registre 2023", freeze_rows=4 if title else 1, auto_width_rows=20)
        if title:
            sheet.append(
                [
                    Styled(
                        "REGISTRE D'ENREGISTREMENT DES CAS — DRPFEF MOPTI — 2023 "
                        "(DONNÉES FICTIVES)",
                        Style.TITLE,
                    )
                ]
            )
            sheet.merge(1, 0, 1, len(SAMPLE_HEADERS) - 1)
            sheet.append(
                ["Organisation : ORG-EXEMPLE", None, None, "Période : 01/01/2023 – 31/12/2023"]
            )
            sheet.append([])
        sheet.append(list(SAMPLE_HEADERS), style=Style.HEADER)
        number = sheet.rows_written
        run_start: int | None = None
        run_value: Any = None
        count = 0
        for row in rows:
            number += 1
            count += 1
            if merges and row and row[6] is not None and not isinstance(row[6], Formula):
                if run_start is not None and row[6] == run_value and number - run_start < 6:
                    row = list(row)
                    row[6] = None  # covered by the merged cell above
                else:
                    if run_start is not None and number - 1 > run_start:
                        sheet.merge(run_start, 6, number - 1, 6)
                    run_start, run_value = number, row[6]
            else:
                if merges and run_start is not None and number - 1 > run_start:
                    sheet.merge(run_start, 6, number - 1, 6)
                run_start = None
            sheet.append(row)
        if merges and run_start is not None and number > run_start:
            sheet.merge(run_start, 6, number, 6)
        if title:
            sheet.append([f"Total : {count} enregistrements"])
        lists = book.add_sheet("Listes", hidden=True)
        for value in ("Élevé", "Moyen", "Faible", "Nul"):
            lists.append([value])


def write_sample_register(path: Path | str, *, rows: int = 300, seed: int = 2023) -> Path:
    """Write the messy French sample register (title rows, merges, every kind of mistake)."""
    path = Path(path)
    _write(path, sample_rows(rows, seed=seed), title=True, merges=True)
    return path


def write_large_register(
    path: Path | str, *, rows: int = 100_000, seed: int = 7, messy: bool = True
) -> Path:
    """Write a large 20-column register for the benchmarks (same generator, no title rows)."""
    path = Path(path)
    _write(path, sample_rows(rows, seed=seed, messy=messy, start_row=1), title=False, merges=False)
    return path


def main() -> None:
    """Regenerate the bundled sample register."""
    SAMPLE_REGISTER.parent.mkdir(parents=True, exist_ok=True)
    write_sample_register(SAMPLE_REGISTER)
    print(SAMPLE_REGISTER)


if __name__ == "__main__":
    main()
