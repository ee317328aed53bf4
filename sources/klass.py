"""KLASS client (SSB's classification API) and the check of the sector mapping's industry codes.

KLASS: base ``https://data.ssb.no/api/klass/v1`` (override with ``RBI_KLASS_BASE_URL``); JSON is
asked for with the ``Accept: application/json`` header (KLASS answers XML otherwise).

- ``GET /classifications/6``                   the industry classification (SN) and its versions
- ``GET /classifications/6/codesAt?date=D``    every code valid at date D

``check-sectors`` validates ``sn2007_codes`` of the sector seed (``dbt_project/seeds/sectors.csv``:
single codes, ``a;b`` lists and ``a-b`` ranges) against the codes KLASS gives for a date, and records
the classification version it used. SN2007 was replaced by SN2025 (from 2025-01-01): when the
version valid at the date is not the seed's, or the seed mixes versions, the check says so and
fails instead of validating codes of one version against another::

    python -m sources.klass check-sectors [--date 2024-12-31] [--seed PATH] [--report FILE]

Exit status: 0 all codes valid in the seed's version; 1 invalid codes or a request failed;
3 the classification version differs (SN2025 change) or the seed mixes versions.
"""

import argparse
import csv
import json
import os
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sources.http import HttpClient, HttpError
from sources.ssb import SsbError, check_json_body
from storage.paths import SEEDS_DIR

DEFAULT_BASE_URL = "https://data.ssb.no/api/klass/v1"
SN_CLASSIFICATION = "6"
SEED = SEEDS_DIR / "sectors.csv"
LICENCE = "CC BY 4.0 (Kilde: Statistisk sentralbyrå)"


class KlassError(RuntimeError):
    """KLASS could not give a usable answer, or the seed cannot be read."""


def base_url() -> str:
    return os.environ.get("RBI_KLASS_BASE_URL", "").strip().rstrip("/") or DEFAULT_BASE_URL


@dataclass(frozen=True)
class Version:
    name: str
    valid_from: str
    valid_to: str | None
    href: str

    @property
    def short(self) -> str:
        """``SN2007`` / ``SN2025`` from the version name's year."""
        match = re.search(r"(19|20)\d\d", self.name)
        return f"SN{match.group(0)}" if match else self.name

    def valid_at(self, day: str) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass
class KlassClient:
    base: str = field(default_factory=base_url)
    http: HttpClient = field(default_factory=HttpClient)

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:
            fetched = self.http.request(
                "GET", f"{self.base}{path}", params=params, headers={"Accept": "application/json"}
            )
            return check_json_body(fetched)
        except (HttpError, SsbError) as exc:
            raise KlassError(f"KLASS: {exc}") from exc

    def versions(self, classification: str = SN_CLASSIFICATION) -> list[Version]:
        document = self._get(f"/classifications/{classification}")
        try:
            return [Version(v["name"], v["validFrom"], v.get("validTo"), _href(v)) for v in document["versions"]]
        except (KeyError, TypeError) as exc:
            raise KlassError(f"KLASS classification {classification}: no readable 'versions' ({exc})") from exc

    def codes_at(self, day: str, classification: str = SN_CLASSIFICATION) -> dict[str, dict[str, Any]]:
        document = self._get(f"/classifications/{classification}/codesAt", {"date": day})
        try:
            return {str(c["code"]): c for c in document["codes"]}
        except (KeyError, TypeError) as exc:
            raise KlassError(f"KLASS codesAt {day}: no readable 'codes' ({exc})") from exc


def _href(version: dict[str, Any]) -> str:
    return str(version.get("_links", {}).get("self", {}).get("href", ""))


def seed_codes(value: str) -> list[str]:
    """``86.101-86.107`` -> one range item; ``87.101;87.102`` -> two items."""
    return [part.strip() for part in value.split(";") if part.strip()]


def expand(item: str, known: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Codes an item stands for and the problems found (a range needs both ends to exist)."""
    if "-" in item:
        first, last = (p.strip() for p in item.split("-", 1))
        missing = [c for c in (first, last) if c not in known]
        if missing:
            return [], [f"range {item}: {', '.join(missing)} not in the classification"]
        level = known[first].get("level")
        return sorted(c for c, v in known.items() if first <= c <= last and v.get("level") == level), []
    return ([item], []) if item in known else ([], [f"{item} not in the classification"])


@dataclass
class SectorCheck:
    checked_at: str
    classification: str
    version: str
    version_name: str
    version_valid_from: str
    version_valid_to: str | None
    seed_versions: list[str]
    newer_versions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sectors: dict[str, list[str]] = field(default_factory=dict)
    version_change: bool = False
    licence: str = LICENCE

    @property
    def exit_code(self) -> int:
        if self.version_change:
            return 3
        return 1 if self.problems else 0


def check_sectors(client: KlassClient, seed: Path = SEED, day: str | None = None) -> SectorCheck:
    day = day or date.today().isoformat()
    try:
        with seed.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise KlassError(f"{seed}: cannot read the sector seed ({exc})") from exc
    for number, row in enumerate(rows, start=1):
        for column in ("sector_code", "sn2007_codes", "classification_version"):
            if not (row.get(column) or "").strip():
                raise KlassError(f"{seed}: row {number}, field '{column}': empty")
    seed_versions = sorted({re.match(r"\S+", row["classification_version"]).group(0) for row in rows})
    versions = client.versions()
    current = [v for v in versions if v.valid_at(day)]
    if not current:
        raise KlassError(f"KLASS classification {SN_CLASSIFICATION} has no version valid at {day}")
    version = current[0]
    report = SectorCheck(
        checked_at=day,
        classification=SN_CLASSIFICATION,
        version=version.short,
        version_name=version.name,
        version_valid_from=version.valid_from,
        version_valid_to=version.valid_to,
        seed_versions=seed_versions,
        newer_versions=[f"{v.short} from {v.valid_from}" for v in versions if v.valid_from > version.valid_from],
    )
    if len(seed_versions) > 1:
        report.version_change = True
        report.problems.append(
            f"{seed}: the seed mixes classification versions {', '.join(seed_versions)}; one version per seed"
        )
        return report
    if seed_versions[0] != version.short:
        report.version_change = True
        report.problems.append(
            f"the seed's codes are {seed_versions[0]} but KLASS classification {SN_CLASSIFICATION} at {day} is "
            f"{version.short} ('{version.name}', valid from {version.valid_from}); the codes were NOT checked against "
            f"{version.short}. Check a date inside the {seed_versions[0]} period (--date), or map the sectors to "
            f"{version.short} codes and set classification_version accordingly"
        )
        return report
    known = client.codes_at(day)
    for number, row in enumerate(rows, start=1):
        codes: list[str] = []
        for item in seed_codes(row["sn2007_codes"]):
            found, problems = expand(item, known)
            codes.extend(found)
            where = f"{seed}: row {number} ({row['sector_code']}), field 'sn2007_codes'"
            report.problems.extend(f"{where}: {p}" for p in problems)
        report.sectors[row["sector_code"]] = codes
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sources.klass", description="KLASS checks")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-sectors", help="validate the sector seed's industry codes against KLASS")
    check.add_argument("--date", default=None, help="date the codes must be valid at (default: today)")
    check.add_argument("--seed", type=Path, default=SEED)
    check.add_argument("--report", type=Path, default=None, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    try:
        client = KlassClient(http=HttpClient(log=lambda m: print(m, file=sys.stderr)))
        report = check_sectors(client, args.seed, args.date)
    except KlassError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"KLASS classification {report.classification} at {report.checked_at}: {report.version} "
        f"('{report.version_name}', valid {report.version_valid_from} to {report.version_valid_to or 'now'})"
    )
    print(f"seed classification_version: {', '.join(report.seed_versions)}")
    for newer in report.newer_versions:
        print(f"note: a newer version exists: {newer} - tables of those periods use it, do not mix versions")
    for sector, codes in report.sectors.items():
        print(f"  {sector}: {len(codes)} code(s) valid: {' '.join(codes)}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    outcome = {0: "ok", 1: "invalid codes", 3: "classification version differs (SN2025 change)"}
    print("result: " + outcome[report.exit_code])
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
