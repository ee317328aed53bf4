"""DEMONSTRATION survey: an invented Nettskjema CSV report and its mapping file.

Nothing here is real. The generator draws a survey of public employees' working time and
reporting burden from a seeded random number generator (``numpy.random.default_rng(seed)``), in
the exact format of Nettskjema's CSV report (see ``sources/surveys/nettskjema.py``), so that the
whole pipeline can run offline. The same seed and size give byte-identical files.

Sector levels differ on purpose (hospitals and child welfare report most, kindergartens least),
and the police sector has exactly 8 respondents so that a release shows disclosure control
(n < 10 => suppressed). The export also carries columns that must never reach the warehouse (a
free-text comment, a fake e-mail address, submission timestamps); the mapping drops them.

Several survey years can be drawn (``--year``), so that trends can be shown: levels move by an
invented per-sector trend (``DOC_SHARE_TREND``: NAV and home-based care report more each year,
upper-secondary schools less) and the agreement items drift upwards; year 2025 with the defaults is
the original survey, byte for byte.

Usage::

    python -m sources.demo.survey --out DIR [--seed 20251] [--respondents 1400] [--year 2025]

writes ``DIR/export.csv`` and ``DIR/mapping.yml``. The embedded copies in
``sources/embedded/surveys/DEMO-<year>-ARBEIDSTID/`` were made with ``DEMO_YEARS`` (seed and
respondents per year).
"""

import argparse
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

DEFAULT_SEED = 20251
DEFAULT_RESPONDENTS = 1400
YEAR = 2025


def survey_id_for(year: int) -> str:
    return f"DEMO-{year}-ARBEIDSTID"


SURVEY_ID = survey_id_for(YEAR)
# the embedded demonstration surveys: year -> (seed, respondents)
DEMO_YEARS = {2023: (20231, 1100), 2024: (20241, 1250), YEAR: (20251, 1400)}
# invented change of the typical documentation share per year (absolute share), by sector
DOC_SHARE_TREND = {
    "SYKEHUS": 0.01,
    "SYKEHJEM": 0.015,
    "HJEMMETJ": 0.02,
    "BARNEHAGE": 0.0,
    "GRUNNSKOLE": 0.01,
    "VGS": -0.01,
    "NAV": 0.03,
    "BARNEVERN": 0.005,
    "POLITI": 0.01,
}
AGREEMENT_TREND = 0.12  # mean answer of the burden items (1..5) per year
AUTONOMY_TREND = -0.08  # mean answer of the autonomy items (1..5) per year
SMALL_SECTOR = "POLITI"
SMALL_SECTOR_RESPONDENTS = 8

DONT_KNOW = "8"
DONT_KNOW_RATE = 0.03
MISSING_RATE = 0.015

COLUMNS = (
    "$submission_id",
    "$created",
    "arbeidssted",
    "kjonn",
    "alder",
    "timer_uke",
    "timer_dokumentasjon",
    "rapp_unyttig",
    "dobbeltrapp",
    "autonomi.skjonn",
    "autonomi.prioritere",
    "autonomi.metoder",
    "kommentar",
    "epost",
    "$answer_time_ms",
)
AUTONOMY_COLUMNS = ("autonomi.skjonn", "autonomi.prioritere", "autonomi.metoder")

# The survey was open from Monday 10 March to Friday 11 April 2025; Norway moved to summer time
# (UTC+2) at 01:00 UTC on 30 March 2025 (the last Sunday of March; other years likewise).
OPEN_UTC = datetime(2025, 3, 10, tzinfo=UTC)
OPEN_DAYS = 33
SUMMER_TIME_UTC = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)


def _open_utc(year: int) -> datetime:
    return OPEN_UTC.replace(year=year)


def _summer_time_utc(year: int) -> datetime:
    last = datetime(year, 3, 31, 1, 0, tzinfo=UTC)
    return last - timedelta(days=(last.weekday() + 1) % 7)


FIRST_SUBMISSION_ID = 31_204_517

COMMENTS = (
    "Mye dobbeltføring mellom journal og kvalitetssystem.",
    "Vi rapporterer de samme tallene til kommunen og til staten; ingen ser ut til å bruke dem.",
    "Skjemaene tar mer tid enn selve oppgaven.",
    "Avvik må meldes i tre ulike systemer.",
    'Stort sett greit, men "kvalitetsindikatorene" gir lite mening for oss.',
    "Mer tid til brukerne, mindre tid foran skjermen!",
    "Dokumentasjon er viktig, men det blir for mye av det gode.",
    "Rapporteringen har økt etter omorganiseringen.",
    "Vet ikke helt hva tallene brukes til.",
    "Det meste av registreringen gjøres etter arbeidstid.",
    "Systemene snakker ikke sammen; alt må tastes inn på nytt.",
    "Ingen kommentar.",
)
COMMENT_RATE = 0.25
EMAIL_RATE = 0.35


@dataclass(frozen=True)
class SectorProfile:
    """Invented levels of one sector: shares of respondents and means of the answers."""

    code: str
    radio: str  # the `arbeidssted` answer code
    share: float  # share of the respondents outside the small sector
    female: float  # share of women among those who answer the sex question
    part_time: float  # share working part time
    doc_share: float  # typical share of hours spent on documentation and reporting
    unnecessary: float  # mean answer 1..5
    duplicate: float  # mean answer 1..5
    autonomy: float  # mean answer 1..5


SECTORS = (
    SectorProfile("SYKEHUS", "1", 0.22, 0.74, 0.30, 0.27, 3.4, 3.5, 3.0),
    SectorProfile("SYKEHJEM", "2", 0.14, 0.86, 0.50, 0.21, 3.2, 3.1, 3.0),
    SectorProfile("HJEMMETJ", "3", 0.12, 0.84, 0.45, 0.23, 3.3, 3.3, 2.9),
    SectorProfile("BARNEHAGE", "4", 0.12, 0.86, 0.25, 0.11, 2.6, 2.4, 3.8),
    SectorProfile("GRUNNSKOLE", "5", 0.16, 0.76, 0.15, 0.17, 3.3, 2.8, 3.5),
    SectorProfile("VGS", "6", 0.09, 0.56, 0.12, 0.15, 3.0, 2.6, 3.7),
    SectorProfile("NAV", "7", 0.09, 0.71, 0.08, 0.20, 3.1, 3.2, 2.8),
    SectorProfile("BARNEVERN", "8", 0.06, 0.82, 0.08, 0.30, 3.5, 3.6, 2.9),
    SectorProfile("POLITI", "9", 0.00, 0.45, 0.05, 0.24, 3.4, 3.3, 3.0),
)


def sector_counts(respondents: int) -> dict[str, int]:
    """Respondents per sector: exactly 8 in the small sector, the rest by share (at least 1 each)."""
    others = [s for s in SECTORS if s.code != SMALL_SECTOR]
    spare = respondents - SMALL_SECTOR_RESPONDENTS - len(others)
    if spare < 0:
        raise ValueError(f"need at least {SMALL_SECTOR_RESPONDENTS + len(others)} respondents")
    exact = np.array([s.share for s in others]) * spare
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    result = {s.code: int(c) + 1 for s, c in zip(others, counts, strict=True)}
    result[SMALL_SECTOR] = SMALL_SECTOR_RESPONDENTS
    return {s.code: result[s.code] for s in SECTORS}


def _round_half(x: np.ndarray) -> np.ndarray:
    return np.round(x * 2) / 2


def _blank_some(rng: np.random.Generator, answers: np.ndarray, rate: float, code: str) -> np.ndarray:
    """Replace a random share of the answers by ``code`` (e.g. "" = unanswered, "8" = don't know)."""
    out = answers.copy()
    out[rng.random(len(out)) < rate] = code
    return out


def _likert(rng: np.random.Generator, latent: np.ndarray) -> np.ndarray:
    """Answers 1..5 as radio codes, with some 'don't know' (8) and some unanswered."""
    codes = np.clip(np.rint(latent), 1, 5).astype(int).astype(str).astype(object)
    codes = _blank_some(rng, codes, DONT_KNOW_RATE, DONT_KNOW)
    return _blank_some(rng, codes, MISSING_RATE, "")


def _sexes(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """kjonn: 1 Kvinne, 2 Mann, 3 Vil ikke svare, '' unanswered."""
    codes = np.where(rng.random(len(female)) < female, "1", "2").astype(object)
    codes = _blank_some(rng, codes, 0.03, "3")
    return _blank_some(rng, codes, 0.02, "")


def _hours(
    rng: np.random.Generator, profiles: list[SectorProfile], burden: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly hours and documentation hours (numbers with one decimal, as Nettskjema writes them)."""
    n = len(profiles)
    part_time = rng.random(n) < np.array([p.part_time for p in profiles])
    overtime = np.where(rng.random(n) < 0.55, rng.exponential(2.5, n), 0.0)
    total = np.where(part_time, rng.uniform(15, 33, n), 37.5 + overtime)
    total = np.clip(_round_half(total), 5, 75)
    base = np.array([p.doc_share for p in profiles])
    logit = np.log(base / (1 - base)) + 0.35 * burden + rng.normal(0, 0.45, n)
    doc = np.clip(_round_half(total / (1 + np.exp(-logit))), 0, total)
    total_text = np.array([f"{x:.1f}" for x in total], dtype=object)
    doc_text = np.array([f"{x:.1f}" for x in doc], dtype=object)
    no_total = rng.random(n) < MISSING_RATE
    total_text[no_total] = ""
    doc_text[no_total | (rng.random(n) < 0.02)] = ""
    return total_text, doc_text


def _created(rng: np.random.Generator, n: int, year: int = YEAR) -> list[str]:
    """Submission times, sorted, ISO-8601 in Norwegian local time with its UTC offset."""
    days = rng.integers(0, OPEN_DAYS, n)
    seconds = rng.integers(5 * 3600, 21 * 3600, n)
    opened, summer = _open_utc(year), _summer_time_utc(year)
    stamps = sorted(opened + timedelta(days=int(d), seconds=int(s)) for d, s in zip(days, seconds, strict=True))
    out = []
    for utc in stamps:
        hours = 2 if utc >= summer else 1
        local = utc + timedelta(hours=hours)
        out.append(local.strftime("%Y-%m-%dT%H:%M:%S") + f"+0{hours}:00")
    return out


def _free_text(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The PII-like columns: a free-text comment and an obviously fake e-mail address."""
    comments = np.array(COMMENTS, dtype=object)[rng.integers(0, len(COMMENTS), n)]
    comments[rng.random(n) >= COMMENT_RATE] = ""
    emails = np.array([f"respondent{i}@example.invalid" for i in range(1, n + 1)], dtype=object)
    emails[rng.random(n) >= EMAIL_RATE] = ""
    return comments, emails


def profiles_for(year: int) -> tuple[SectorProfile, ...]:
    """The sector profiles of ``year``: the 2025 levels moved by the invented trends."""
    years = year - YEAR
    return tuple(
        replace(
            s,
            doc_share=s.doc_share + DOC_SHARE_TREND[s.code] * years,
            unnecessary=s.unnecessary + AGREEMENT_TREND * years,
            duplicate=s.duplicate + AGREEMENT_TREND * years,
            autonomy=s.autonomy + AUTONOMY_TREND * years,
        )
        for s in SECTORS
    )


def generate_rows(
    seed: int = DEFAULT_SEED, respondents: int = DEFAULT_RESPONDENTS, year: int = YEAR
) -> list[list[str]]:
    """The export's data rows (all text), in submission order."""
    rng = np.random.default_rng(seed)
    by_code = {s.code: s for s in profiles_for(year)}
    codes = [code for code, count in sector_counts(respondents).items() for _ in range(count)]
    profiles = [by_code[codes[i]] for i in rng.permutation(len(codes))]
    n = len(profiles)
    burden = rng.normal(0, 1, n)

    def mean(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in profiles])

    sexes = _sexes(rng, mean("female"))
    ages = rng.choice(np.array(["1", "2", "3", "4", "5"], dtype=object), n, p=[0.14, 0.24, 0.26, 0.24, 0.12])
    total, doc = _hours(rng, profiles, burden)
    unnecessary = _likert(rng, mean("unnecessary") + 0.4 * burden + rng.normal(0, 0.9, n))
    duplicate = _likert(rng, mean("duplicate") + 0.4 * burden + rng.normal(0, 0.9, n))
    person_autonomy = mean("autonomy") - 0.3 * burden + rng.normal(0, 0.7, n)
    autonomy = [_likert(rng, person_autonomy + rng.normal(0, 0.6, n)) for _ in AUTONOMY_COLUMNS]
    created = _created(rng, n, year)
    ids = FIRST_SUBMISSION_ID + np.cumsum(rng.integers(1, 60, n))
    comments, emails = _free_text(rng, n)
    answer_ms = np.rint(rng.lognormal(np.log(300_000), 0.5, n)).astype(int)
    columns = [
        [str(i) for i in ids],
        created,
        [p.radio for p in profiles],
        sexes,
        ages,
        total,
        doc,
        unnecessary,
        duplicate,
        *autonomy,
        comments,
        emails,
        [str(ms) for ms in answer_ms],
    ]
    return [[str(value) for value in row] for row in zip(*columns, strict=True)]


def _csv_line(fields: list[str] | tuple[str, ...]) -> str:
    return ";".join('"' + value.replace('"', '""') + '"' for value in fields)


def export_csv(seed: int = DEFAULT_SEED, respondents: int = DEFAULT_RESPONDENTS, year: int = YEAR) -> str:
    """The whole export as Nettskjema writes it: ';', all fields quoted, LF, trailing newline."""
    lines = [_csv_line(COLUMNS)] + [_csv_line(row) for row in generate_rows(seed, respondents, year)]
    return "\n".join(lines) + "\n"


def _codes_table() -> str:
    return "{" + ", ".join(f'"{c}": {c}' for c in ("1", "2", "3", "4", "5", "8")) + "}"


def mapping_yaml(seed: int = DEFAULT_SEED, respondents: int = DEFAULT_RESPONDENTS, year: int = YEAR) -> str:
    """The mapping file of the demonstration export (see ``sources/surveys/mapping.py``)."""
    sectors = "\n".join(f'      "{s.radio}": {s.code}' for s in SECTORS)
    codes = _codes_table()
    command = f"--seed {seed} --respondents {respondents}" + (f" --year {year}" if year != YEAR else "")
    return f"""\
# DEMONSTRATION DATA: invented by `python -m sources.demo.survey {command}`.
# Not a real survey. Every answer in export.csv was drawn from a seeded random number generator.
survey_id: {survey_id_for(year)}
year: {year}
format: nettskjema_csv
data_status: demonstration
title: "DEMONSTRATION - invented data, not a real survey: working time and reporting, public employees {year}"
publisher: "Invented for the Reporting Burden Index demonstration (no real respondents)"
licence: "CC0 1.0 (invented demonstration data)"
respondent_id: {{column: "$submission_id"}}
fields:
  sector_code:
    column: arbeidssted
    values:
{sectors}
  sex: {{column: kjonn, values: {{"1": F, "2": M, "3": null}}}}  # 1 Kvinne, 2 Mann, 3 Vil ikke svare
  hours_total: {{column: timer_uke, type: number}}
  hours_doc: {{column: timer_dokumentasjon, type: number}}
  unnecessary: {{column: rapp_unyttig, values: {codes}}}  # 8 = Vet ikke
  duplicate: {{column: dobbeltrapp, values: {codes}}}
  autonomy_1: {{column: autonomi.skjonn, values: {codes}}}
  autonomy_2: {{column: autonomi.prioritere, values: {codes}}}
  autonomy_3: {{column: autonomi.metoder, values: {codes}}}
# No design_weight column: weights come from post-stratification (spec section 3).
# Not mapped, hence dropped at ingestion: $created, alder, kommentar, epost, $answer_time_ms.
"""


def write_demo_survey(
    out_dir: str | Path, seed: int = DEFAULT_SEED, respondents: int = DEFAULT_RESPONDENTS, year: int = YEAR
) -> tuple[Path, Path]:
    """Write ``export.csv`` (UTF-8, no BOM) and ``mapping.yml`` into ``out_dir``; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    export_path, mapping_path = out / "export.csv", out / "mapping.yml"
    export_path.write_bytes(export_csv(seed, respondents, year).encode("utf-8"))
    mapping_path.write_bytes(mapping_yaml(seed, respondents, year).encode("utf-8"))
    return export_path, mapping_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m sources.demo.survey --out DIR [--seed N] [--respondents N]``."""
    parser = argparse.ArgumentParser(description="Write an invented DEMONSTRATION survey export and mapping.")
    parser.add_argument("--out", required=True, type=Path, help="directory for export.csv and mapping.yml")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--respondents", type=int, default=DEFAULT_RESPONDENTS, help=f"default {DEFAULT_RESPONDENTS}")
    parser.add_argument(
        "--year", type=int, default=YEAR, help=f"survey year (default {YEAR}; levels follow the trends)"
    )
    args = parser.parse_args(argv)
    minimum = SMALL_SECTOR_RESPONDENTS + len(SECTORS) - 1
    if args.respondents < minimum:
        parser.error(f"--respondents must be at least {minimum}")
    export_path, mapping_path = write_demo_survey(args.out, args.seed, args.respondents, args.year)
    print(f"wrote {export_path} and {mapping_path} (DEMONSTRATION data, seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
