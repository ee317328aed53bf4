"""Sample exports in the formats of Nettskjema and Microsoft Forms, from the kit's questionnaire.

Written with the questionnaire's own question codes, texts and answer labels, so a person setting
up a form (or a test) can run them through ``python -m sources.surveys validate`` and
``python -m kit.planner check`` with the kit's mappings before the real survey opens. Every
answer is invented (:mod:`kit.simulate`); the mapping written next to an export says
``data_status: demonstration``.

    python -m kit.sample --tool nettskjema --per-sector 40 --out DIR   # DIR/export.csv + mapping.yml
    python -m kit.sample --tool msforms --language en --out DIR        # DIR/export.xlsx + mapping.yml
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from kit.mappings import mapping_text
from kit.planner.assumptions import build_assumptions
from kit.questionnaire import Item, Questionnaire, load
from kit.simulate import draw
from method.reference import sector_codes

START = dt.datetime(2026, 3, 2, 8, 0, 0)
MSFORMS_LEAD = {
    "en": ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time"),
    "nb": ("ID", "Starttidspunkt", "Fullføringstidspunkt", "E-post", "Navn"),
}


def _number(x: object, comma: bool) -> str:
    if x is None or pd.isna(x):
        return ""
    text = f"{float(x):g}"
    return text.replace(".", ",") if comma else text


def _answer(item: Item, value: object, tool: str, language: str, comma: bool) -> str:
    if item.kind == "number":
        return _number(value, comma)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        if item.field != "sex":
            return ""
        value = None  # sex: None is an answer ("Vil ikke svare")
    value = int(value) if isinstance(value, float) else value
    return item.code_of(value) if tool == "nettskjema" else item.label_of(value, language)


def _times(i: int) -> tuple[dt.datetime, dt.datetime]:
    start = START + dt.timedelta(minutes=37 * i)
    return start, start + dt.timedelta(seconds=150 + 7 * (i % 40))


def nettskjema_csv(records: pd.DataFrame, q: Questionnaire, extra: dict[str, list[str]] | None = None) -> bytes:
    """A Nettskjema CSV report: ';', every field quoted, UTF-8, $submission_id/$created first."""
    extra = extra or {}
    header = ["$submission_id", "$created", *(item.column for item in q.items), *extra, "$answer_time_ms"]
    lines = [header]
    for i, row in enumerate(records.to_dict("records")):
        _start, end = _times(i)
        answers = [_answer(item, row[item.field], "nettskjema", "nb", False) for item in q.items]
        created = end.strftime("%Y-%m-%dT%H:%M:%S+01:00")
        lines.append([row["respondent_id"], created, *answers, *(v[i] for v in extra.values()), "183000"])
    text = "\n".join(";".join('"' + str(c).replace('"', '""') + '"' for c in line) for line in lines) + "\n"
    return text.encode("utf-8")


def msforms_rows(records: pd.DataFrame, q: Questionnaire, language: str) -> list[list[object]]:
    """Microsoft Forms "Open in Excel": ID, times, e-mail and name of an anonymous form, then one
    column per question named by its text, answers as labels."""
    lead = MSFORMS_LEAD[language]
    rows: list[list[object]] = [[*lead, *(item.text[language] for item in q.items)]]
    for i, row in enumerate(records.to_dict("records")):
        start, end = _times(i)
        person = ["anonymous", ""]
        modified = [end] if len(lead) == 6 else []
        answers = [_answer(item, row[item.field], "msforms", language, language == "nb") for item in q.items]
        rows.append([i + 1, start, end, *person, *modified, *answers])
    return rows


def write_xlsx(rows: list[list[object]], path: Path, sheet: str = "Form1") -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.properties.created = book.properties.modified = dt.datetime(2026, 3, 31)
    book.save(path)


def sample_mapping(q: Questionnaire, tool: str, language: str, survey_id: str, year: int) -> str:
    text = mapping_text(q, tool, language)
    suffix = "NETTSKJEMA" if tool == "nettskjema" else "MSFORMS"
    text = text.replace(f"survey_id: KIT-{suffix}-2026", f"survey_id: {survey_id}").replace(
        "year: 2026", f"year: {year}"
    )
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    text = text.replace(title, 'title: "DEMONSTRATION - invented answers from the survey kit\'s sample (rbi sample)"')
    return text.replace(
        'publisher: "[Organisation]"', 'publisher: "Invented by rbi sample (python -m kit.sample; no real respondents)"'
    )


def write_sample(
    out: Path, tool: str, language: str = "nb", per_sector: int = 40, seed: int = 1, year: int = 2026
) -> tuple[Path, Path]:
    """Write ``export.csv`` (Nettskjema) or ``export.xlsx`` (MS Forms) and ``mapping.yml`` into ``out``."""
    q = load()
    records = draw(build_assumptions(), dict.fromkeys(sector_codes(), per_sector), seed)
    out.mkdir(parents=True, exist_ok=True)
    survey_id = f"SAMPLE-{tool.upper()}-{year}"
    if tool == "nettskjema":
        export = out / "export.csv"
        export.write_bytes(nettskjema_csv(records, q))
    else:
        export = out / "export.xlsx"
        write_xlsx(msforms_rows(records, q, language), export)
    mapping = out / "mapping.yml"
    mapping.write_text(sample_mapping(q, tool, language, survey_id, year), encoding="utf-8")
    return export, mapping


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.sample", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", choices=("nettskjema", "msforms"), required=True)
    parser.add_argument("--language", choices=("nb", "en"), default="nb", help="form language (MS Forms)")
    parser.add_argument("--per-sector", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    export, mapping = write_sample(args.out, args.tool, args.language, args.per_sector, args.seed, args.year)
    print(f"wrote {export} and {mapping} (invented answers, data_status: demonstration)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
