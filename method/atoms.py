"""The atoms rule of spec section 5b (method 1.2): no disclosure by differencing over any number of
releases. The plain-Python statement of the rule; the dbt models ``int_revision_atoms`` and
``int_components_revised`` implement the same on the warehouse, and tests compare them.

A cell's **footprint** in one computation is a set of elements, one per respondent with a non-NULL
answer to the component's items; an element is identified by the respondent key and everything
that moves the cell (answers, sex, design weight), in the pipeline by its keyed digest
(:func:`sources.pseudonyms.element_digest`, fields in :data:`FOOTPRINT_ITEMS` order). Here an
element is any hashable value and ``key_of`` gives its respondent key.

Take the published versions V1..Vm of the cell and the candidate C (the fresh computation), and
group all their elements by the subset of {V1..Vm, C} that contains them: each group is an
**atom**, its size the number of distinct respondent keys in it. The cell is computed afresh only
when every atom has at least ``atom_min`` keys (``revision_atom_min``); otherwise it keeps the row
last published (REVISION_HELD). Every sum or difference of the published totals is constant on
atoms, so no combination of releases isolates fewer than ``atom_min`` people.
"""

from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TypeVar

E = TypeVar("E", bound=Hashable)

# The items of each survey component whose answers identify a footprint element (spec 5b), in the
# order they enter the element digest: (survey_id, respondent_id, *items, sex, design_weight).
FOOTPRINT_ITEMS: dict[str, tuple[str, ...]] = {
    "C1": ("hours_total", "hours_doc"),
    "C2": ("unnecessary",),
    "C3": ("duplicate",),
    "C4": ("autonomy_1", "autonomy_2", "autonomy_3"),
}


def in_footprint(component_id: str, answers: Sequence[object]) -> bool:
    """Whether a respondent whose answers to the component's items (in :data:`FOOTPRINT_ITEMS`
    order) are ``answers`` is an element of its footprint: C1 both hours non-NULL; C2, C3 the item
    non-NULL (code 8 included); C4 any of its items non-NULL."""
    given = [v is not None and v == v for v in answers]  # NaN counts as NULL
    return all(given) if component_id == "C1" else any(given)


def item_answers(component_id: str, record: dict[str, object]) -> list[object]:
    """A record's answers to the component's items, in :data:`FOOTPRINT_ITEMS` order."""
    return [record.get(item) for item in FOOTPRINT_ITEMS[component_id]]


def footprint_fields(component_id: str, record: dict[str, object]) -> tuple[object, ...]:
    """The fields of a record's footprint element, in digest order."""
    items = tuple(record.get(item) for item in FOOTPRINT_ITEMS[component_id])
    return (record["survey_id"], record["respondent_id"], *items, record.get("sex"), record.get("design_weight"))


def atoms(
    published: Sequence[Collection[E]], candidate: Collection[E], key_of: Callable[[E], Hashable]
) -> dict[frozenset[int], set[Hashable]]:
    """The atoms of the versions ``published`` (numbered 1..m) and the candidate (numbered 0):
    the subset of version numbers containing an element -> the distinct respondent keys of the
    elements with exactly that subset."""
    membership: dict[E, set[int]] = {}
    for number, version in enumerate(published, start=1):
        for element in version:
            membership.setdefault(element, set()).add(number)
    for element in candidate:
        membership.setdefault(element, set()).add(0)
    grouped: dict[frozenset[int], set[Hashable]] = {}
    for element, numbers in membership.items():
        grouped.setdefault(frozenset(numbers), set()).add(key_of(element))
    return grouped


def smallest_atom(
    published: Sequence[Collection[E]], candidate: Collection[E], key_of: Callable[[E], Hashable]
) -> int | None:
    """The number of respondent keys of the smallest atom (None when there are no elements)."""
    sizes = [len(keys) for keys in atoms(published, candidate, key_of).values()]
    return min(sizes) if sizes else None


def decide(
    published: Sequence[Collection[E]] | None,
    candidate: Collection[E],
    fresh_suppressed: bool,
    atom_min: int,
    key_of: Callable[[E], Hashable],
) -> str:
    """What a build publishes for a cell: 'suppressed', 'held' or 'fresh' (spec 5b).

    ``published`` holds the footprints of the versions published with a value (empty or None: the
    cell was never published, section 5 alone decides). A version given as None is one whose
    footprint is unknown (a store carried over from method 1.1 that could not be reconstructed):
    the atoms cannot be decided and the cell is held."""
    if fresh_suppressed:
        return "suppressed"
    if not published:
        return "fresh"
    if any(version is None for version in published):
        return "held"
    smallest = smallest_atom(published, candidate, key_of)
    return "held" if smallest is not None and smallest < atom_min else "fresh"


def with_candidate(published: Sequence[Collection[E]], candidate: Collection[E]) -> list[frozenset[E]]:
    """The published versions after the candidate was published: a new version, unless it equals
    one already published (which would split no atom: the store does not grow on a re-run)."""
    versions = [frozenset(v) for v in published]
    fresh = frozenset(candidate)
    return versions if fresh in versions else [*versions, fresh]
