"""Property tests (Hypothesis) of the delivery flow: random sequences of deliveries, re-deliveries,
truncated copies, erasures, withdrawals and operator decisions on small generated exports, with
invariants checked after every step:

- the inbox always reaches every delivery (it is empty after each pass: taken, held or
  quarantined), and no exception escapes;
- accepted => the current version's canonical records equal the truth of what was delivered
  (keyed), otherwise the current version is unchanged and the quarantine report names the cause;
- a truncated copy (cut inside a quoted field, or any cut with the sender's sha256) is never taken;
- no erased respondent key is ever back in the current records; a withdrawn survey takes nothing;
- the stored records hold keys only, never a tool id.

A fixed number of examples and no example database (CI time bounded, nothing written to the repo).
"""

import hashlib
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sources.pseudonyms import is_respondent_key, load_or_create_secret, respondent_key
from sources.surveys import erasure, store
from sources.surveys.erasure_log import append_record
from sources.surveys.inbox import accept_held, process_inbox
from storage.paths import Paths

SURVEY = "PROP-2026"
MAPPING = f"""\
survey_id: {SURVEY}
year: 2026
format: generic_csv
data_status: demonstration
respondent_id: {{column: id}}
fields:
  sector_code: {{column: sektor, values: {{"1": SYKEHUS, "2": NAV}}}}
  hours_total: {{column: timer, type: number}}
  hours_doc: {{column: dok, type: number}}
"""
NETTSKJEMA = MAPPING.replace("generic_csv", "nettskjema_csv").replace("{column: id}", '{column: "$submission_id"}')
START = datetime(2026, 11, 1, tzinfo=UTC)


def answers(person: int, variant: int) -> tuple[str, float, float]:
    return (
        ("SYKEHUS", "NAV")[(person + variant) % 2],
        float(30 + (person * 7 + variant * 3) % 20),
        float(1 + person % 9),
    )


def export_text(people: list[int], variant: int, tool: str = "generic", day: int = 20) -> str:
    """A generic export, or a Nettskjema one whose responses were sent up to ``day`` (of March 2026)."""
    if tool == "generic":
        lines = ['"id";"sektor";"timer";"dok"']
    else:
        lines = ['"$submission_id";"$created";"sektor";"timer";"dok"']
    for number, person in enumerate(people):
        sector, hours, doc = answers(person, variant)
        code = "1" if sector == "SYKEHUS" else "2"
        created = f'"2026-03-{max(1, day - number):02d} 10:{person:02d}:00";' if tool != "generic" else ""
        lines.append(f'"P{person:03d}";{created}"{code}";"{hours:g}";"{doc:g}"')
    return "\n".join(lines) + "\n"


def truth(people: list[int], variant: int, secret: bytes) -> set[tuple]:
    return {(respondent_key(secret, f"P{p:03d}"), *answers(p, variant)) for p in people}


def current_records(paths: Paths) -> set[tuple] | None:
    newest = store.newest(paths.raw_surveys, SURVEY)
    if newest is None or newest.withdrawn:
        return None
    frame = pd.read_parquet(newest.records_path)
    assert frame["respondent_id"].map(is_respondent_key).all()
    return {(r.respondent_id, r.sector_code, float(r.hours_total), float(r.hours_doc)) for r in frame.itertuples()}


people_sets = st.lists(st.integers(1, 12), min_size=1, max_size=8, unique=True).map(sorted)
operations = st.one_of(
    st.tuples(st.just("deliver"), people_sets, st.integers(0, 2), st.integers(10, 28)),
    st.tuples(st.just("truncated"), people_sets, st.floats(0.05, 0.95), st.booleans()),
    st.tuples(st.just("erase"), st.integers(0, 20)),
    st.tuples(st.just("withdraw")),
    st.tuples(st.just("accept")),
)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["generic", "nettskjema"]), st.lists(operations, min_size=1, max_size=7))
def test_random_delivery_histories_keep_the_invariants(tool: str, steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        run_history(Path(scratch), steps, tool)


def run_history(root: Path, steps: list[tuple], tool: str) -> None:
    paths = Paths.from_env(inputs=root / "no-inputs", output=root / "out", environ={})
    paths.inbox.mkdir(parents=True)
    secret = load_or_create_secret(paths.pseudonym_secret)
    expected: set[tuple] | None = None  # the truth of the current version
    erased: set[str] = set()
    withdrawn = False
    last_day: int | None = None  # the current version's last response day (Nettskjema)
    for number, step in enumerate(steps):
        when = START + timedelta(hours=number)
        kind = step[0]
        if kind in ("deliver", "truncated"):
            people = step[1]
            name = f"d{number:02d}"
            folder = paths.inbox / name
            folder.mkdir()
            day = step[3] if kind == "deliver" else 20
            text = export_text(people, step[2] if kind == "deliver" else 0, tool, day)
            delivered = text
            if kind == "truncated":
                full = text.encode("utf-8")
                cut = max(len(full.split(b"\n", 1)[0]) + 2, int(len(full) * step[2]))
                if step[3]:  # the sender wrote the sha256 of the whole export
                    (folder / "export.csv.sha256").write_text(hashlib.sha256(full).hexdigest() + "\n")
                else:  # no marker: cut inside a quoted field
                    quote = full.rfind(b'"', 0, cut)
                    cut = quote + 1 if full[:quote].count(b'"') % 2 == 0 else quote  # after an opening quote
                delivered = full[:cut].decode("utf-8")
                if delivered == text:
                    delivered = delivered[:-3]
            (folder / "export.csv").write_text(delivered, encoding="utf-8")
            (folder / "mapping.yml").write_text(MAPPING if tool == "generic" else NETTSKJEMA, encoding="utf-8")
            before = current_records(paths)
            (outcome,) = process_inbox(
                paths.inbox,
                paths.raw_surveys,
                paths.quarantine,
                paths.received,
                now=lambda when=when: when,
                min_age_seconds=0,
                secret_file=paths.pseudonym_secret,
                audit_log=paths.audit_log,
            )
            assert list(paths.inbox.iterdir()) == [], outcome
            event(f"{kind}: {outcome.status}")
            wanted = truth(people, step[2] if kind == "deliver" else 0, secret)
            if kind == "truncated":
                assert outcome.status != "accepted", (outcome, delivered)
            if outcome.status == "accepted":
                assert current_records(paths) == wanted
                assert not withdrawn
                assert not {k for k, *_ in wanted} & erased
                if tool != "generic" and before is not None and last_day is not None:
                    assert day >= last_day, "older responses were taken without an operator"
                expected, last_day = wanted, day
            elif outcome.status == "repeated":  # the bytes of a stored version: nothing changes
                assert current_records(paths) == before
            else:
                assert outcome.status in ("held", "quarantined"), outcome
                assert current_records(paths) == before
                report = json.loads((outcome.where / "report.json").read_text(encoding="utf-8"))
                assert report["error"] or report["problems"], report
                assert outcome.message
        elif kind == "erase" and expected and not withdrawn:
            keys = sorted(k for k, *_ in expected)
            victim_key = keys[step[1] % len(keys)]
            tool = next(f"P{p:03d}" for p in range(1, 13) if respondent_key(secret, f"P{p:03d}") == victim_key)
            result = erasure.erase(SURVEY, tool, paths, when)
            append_record(paths.audit_log, erasure.audit_record(result, "prop", None, when))
            erased.add(victim_key)
            expected = {row for row in expected if row[0] != victim_key} or None
        elif kind == "withdraw" and expected is not None and not withdrawn:
            result = erasure.withdraw(SURVEY, paths, when)
            append_record(paths.audit_log, erasure.audit_record(result, "prop", None, when))
            withdrawn, expected = True, None
        elif kind == "accept":
            held = sorted(p for p in paths.quarantine.glob("*") if (p / "held.json").exists())
            if held:
                outcome = accept_held(
                    SURVEY,
                    held[-1].name,
                    paths.raw_surveys,
                    paths.quarantine,
                    paths.received,
                    when=when,
                    secret_file=paths.pseudonym_secret,
                    audit_log=paths.audit_log,
                )
                if outcome.status == "accepted":
                    expected, last_day = current_records(paths), None
                    assert not withdrawn and not {k for k, *_ in expected} & erased
        current = current_records(paths)
        assert current == expected, (step, current, expected)
        assert not {k for k, *_ in (current or set())} & erased
        for parquet in paths.raw.rglob("*.parquet"):
            assert pd.read_parquet(parquet)["respondent_id"].map(is_respondent_key).all(), parquet
