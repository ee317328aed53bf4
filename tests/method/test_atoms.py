"""The atoms rule of spec 5b (method 1.2, ``method/atoms.py``): the spec's worked examples by hand,
and a seeded property loop over sequences of additions, withdrawals, corrections and erasures.

The property is checked twice, independently: every atom of the published versions has at least
10 respondent keys, and -- exact rational linear algebra -- no nonzero linear combination of the
published versions' totals (each a sum over its elements) is supported on fewer than 10 respondents.
"""

import itertools
import random
from fractions import Fraction

from method import load_parameters
from method.atoms import atoms, decide, footprint_fields, in_footprint, item_answers, smallest_atom, with_candidate

ATOM_MIN = load_parameters("1.2").integer("revision_atom_min")
Element = tuple[str, int]  # (respondent key, C2 answer 1..5 or 8)


def key_of(element: Element) -> str:
    return element[0]


def group(name: str, size: int, agree: int) -> set[Element]:
    return {(f"{name}{i}", 5 if i < agree else 2) for i in range(size)}


def c2_value(elements: set[Element]) -> float:
    valid = [a for _, a in elements if a != 8]
    return 100 * sum(a >= 4 for a in valid) / len(valid)


def run_releases(candidates: list[set[Element]]) -> list[tuple[str, float | None]]:
    """(decision, published value) per release, the store following the rule."""
    published: list[frozenset[Element]] = []
    shown: float | None = None
    out = []
    for candidate in candidates:
        valid = [e for e in candidate if e[1] != 8]
        decision = decide(published, candidate, len(valid) < ATOM_MIN, ATOM_MIN, key_of)
        if decision == "fresh":
            published = with_candidate(published, candidate)
            shown = c2_value(candidate)
        out.append((decision, None if decision == "suppressed" else shown))
    return out


def test_the_parameter_is_ten() -> None:
    assert ATOM_MIN == 10


def test_spec_worked_example_holds_r4_at_48_6() -> None:
    a, b, c, e = group("a", 200, 100), group("b", 12, 6), group("c", 12, 3), group("e", 1, 1)
    releases = run_releases([a, a | b, a | c, a | b | c | e])
    assert [d for d, _ in releases] == ["fresh", "fresh", "fresh", "held"]
    assert [round(v, 1) for _, v in releases] == [50.0, 50.0, 48.6, 48.6]
    assert c2_value(a | b | c | e) == 110 / 225 * 100  # the fresh 48.9 is never shown
    sizes = {tuple(sorted(s)): len(k) for s, k in atoms([a, a | b, a | c], a | b | c | e, key_of).items()}
    assert sizes == {(0, 1, 2, 3): 200, (0, 2): 12, (0, 3): 12, (0,): 1}
    # the 1.1 rule would have published R4, and T4 - T3 - T2 + T1 isolates e
    assert min_support_of_span([a, a | b, a | c, a | b | c | e]) == 1
    assert min_support_of_span([a, a | b, a | c]) == 12


def test_two_dont_know_answers_are_held() -> None:
    base = {(f"r{i}", 5 if i < 15 else 1) for i in range(40)}
    more = base | {("dk1", 8), ("dk2", 8)}
    assert c2_value(more) == c2_value(base)  # n and the value are unchanged; dk_share would move
    assert smallest_atom([base], more, key_of) == 2
    assert run_releases([base, more]) == [("fresh", 37.5), ("held", 37.5)]


def test_a_correction_under_the_same_key_is_a_change() -> None:
    base = {(f"r{i}", 2) for i in range(30)}
    corrected = (base - {("r0", 2)}) | {("r0", 5)}
    assert smallest_atom([base], corrected, key_of) == 1
    assert run_releases([base, corrected])[1][0] == "held"
    # ten corrections together make atoms of ten: published
    ten = {(k, 5 if int(k[1:]) < 10 else a) for k, a in base}
    assert run_releases([base, ten]) == [("fresh", 0.0), ("fresh", 100 / 3)]


def test_suppressed_whatever_the_atoms_and_first_publication_by_section_5_alone() -> None:
    base = {(f"r{i}", 2) for i in range(30)}
    assert decide([base], set(list(base)[:5]), True, ATOM_MIN, key_of) == "suppressed"
    assert decide([], {("x", 1)}, False, ATOM_MIN, key_of) == "fresh"
    assert decide([base], base, False, ATOM_MIN, key_of) == "fresh"  # unchanged: the same atoms
    assert decide([base, None], base, False, ATOM_MIN, key_of) == "held"  # an unknown 1.1 footprint
    assert with_candidate([frozenset(base)], base) == [frozenset(base)]  # no new version on a re-run


def test_footprint_elements() -> None:
    assert in_footprint("C1", item_answers("C1", {"hours_total": 40.0, "hours_doc": 5.0}))
    assert not in_footprint("C1", item_answers("C1", {"hours_total": 40.0, "hours_doc": None}))
    assert in_footprint("C2", [8]) and not in_footprint("C2", [None])
    assert in_footprint("C4", item_answers("C4", {"autonomy_1": None, "autonomy_2": 8, "autonomy_3": None}))
    assert not in_footprint("C4", [None, float("nan"), None])
    record = {"survey_id": "S", "respondent_id": "rk_1", "unnecessary": 3, "sex": "F", "design_weight": None}
    assert footprint_fields("C2", record) == ("S", "rk_1", 3, "F", None)


# --- exact linear algebra: the smallest support of a combination of published totals -------------
def rank(vectors: list[tuple[int, ...]]) -> int:
    rows = [[Fraction(x) for x in v] for v in vectors]
    r = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col] / rows[r][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        r += 1
    return r


def min_support_of_span(versions: list[set[Element]]) -> int | None:
    """The fewest distinct respondents a nonzero vector sum_v c_v * 1[e in V_v] (a combination of the
    versions' totals, as coefficients over elements) can be supported on. Minimal supports are the
    complements of the hyperplanes (flats of rank d - 1) of the elements' column vectors."""
    elements = set().union(*versions) if versions else set()
    if not elements:
        return None
    column: dict[tuple[int, ...], set[str]] = {}
    for element in elements:
        col = tuple(int(element in v) for v in versions)
        column.setdefault(col, set()).add(key_of(element))
    types = list(column)
    d = rank(types)
    best = None
    for basis in itertools.combinations(types, d - 1):
        if rank(list(basis)) != d - 1:
            continue
        flat = [t for t in types if rank([*basis, t]) == d - 1]
        support = set().union(*(column[t] for t in types if t not in flat))
        if support and (best is None or len(support) < best):
            best = len(support)
    return best


def evolve(rng: random.Random, people: dict[str, int | None], counter: list[int]) -> dict[str, int | None]:
    """One delivery: add, withdraw (a group), correct or erase respondents; answers may be code 8."""
    out = dict(people)
    action = rng.choice(("add", "add", "withdraw", "correct", "erase", "none"))
    if action == "add":
        for _ in range(rng.choice((1, 2, 3, 5, 9, 10, 12))):
            counter[0] += 1
            out[f"k{counter[0]}"] = rng.choice((1, 2, 4, 5, 8))
    elif action == "withdraw" and out:
        for key in rng.sample(sorted(out), min(len(out), rng.choice((3, 10, 12)))):
            del out[key]
    elif action == "correct" and out:
        for key in rng.sample(sorted(out), min(len(out), rng.choice((1, 2, 10)))):
            out[key] = rng.choice((1, 2, 4, 5, 8))
    elif action == "erase" and out:
        for key in rng.sample(sorted(out), min(len(out), rng.choice((1, 2)))):
            del out[key]
    return out


def test_no_combination_of_published_totals_isolates_fewer_than_ten() -> None:
    rng = random.Random(20261207)
    decisions = {"fresh": 0, "held": 0, "suppressed": 0}
    republished = 0
    for _ in range(250):
        counter = [0]
        people: dict[str, int | None] = {}
        for _ in range(rng.randint(10, 30)):
            counter[0] += 1
            people[f"k{counter[0]}"] = rng.choice((1, 2, 4, 5, 8))
        published: list[frozenset[Element]] = []
        for _ in range(6):
            candidate = {(k, a) for k, a in people.items() if a is not None}
            valid = sum(a != 8 for _, a in candidate)
            decision = decide(published, candidate, valid < ATOM_MIN, ATOM_MIN, key_of)
            decisions[decision] += 1
            if decision == "fresh":
                republished += bool(published)
                published = with_candidate(published, candidate)
            # the property, twice: atoms of the published versions, and the span of their totals
            for keys in atoms(published, set(), key_of).values():
                assert len(keys) >= ATOM_MIN
            smallest = min_support_of_span([set(v) for v in published])
            assert smallest is None or smallest >= ATOM_MIN, (published, smallest)
            people = evolve(rng, people, counter)
    assert decisions["held"] > 50 and republished > 50 and decisions["suppressed"] > 10, decisions
