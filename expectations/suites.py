"""Great Expectations suites, one per published table (GX Core 1.x, validated on pandas frames).

Every expectation carries ``meta["rule"]``, the rule in words (spec section in brackets), and, when
it applies to some rows only, ``meta["where"]``, which rows. Row conditions are GX 1.x condition
objects (``Column(...)``), not the deprecated pandas query strings.

The build functions import GX lazily: ``import great_expectations`` costs seconds.
"""

import math
from collections.abc import Callable, Collection
from typing import Any

from method.reference import component_ids, flag_codes, percent_component_ids, percent_units, sector_codes
from method.scenarios import scenario_ids
from publication.contracts import (
    DATA_STATUSES,
    FLAG_SEPARATOR,
    KEYS,
    TABLES,
    YEAR_RANGE,
    MethodRules,
    columns,
    flag_values_with,
    flags_pattern,
    method_rules,
)

# pandas dtypes a column of each kind may have (text columns are handed to GX as object, see runner)
KIND_DTYPES: dict[str, list[str]] = {
    "text": ["object", "str"],
    "int": [
        *("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"),
        *("Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype", "UInt8Dtype", "UInt16Dtype", "UInt32Dtype"),
    ],
    "dec1": ["float64", "float32", "Float64Dtype"],
    "dec3": ["float64", "float32", "Float64Dtype"],
    "plain": ["float64", "float32", "Float64Dtype"],
}
RANK_GROUPS: dict[str, list[str]] = {  # ranks are computed within these columns (spec 7)
    "index_sector_year": ["year"],
    "sensitivity": ["year", "scenario_id"],
}
RANK_ORDER_SUFFIX = "__rank_order"
ROW_COUNT_SUFFIX = "__row_count"
ROW_COUNT_TOLERANCE = 0.5  # rows of the years the previous release had may differ from it by at most 50%
PERIOD_PATTERN = r"^\d{4}(?:K[1-4]|M(?:0[1-9]|1[0-2]))?$"  # SSB periods: 2016, 2016K2, 2016M03


def _gx() -> tuple[Any, Any]:
    """(great_expectations.expectations, row-condition Column class), imported on first use."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return gxe, Column


class _Builder:
    """Collects the expectations of one suite; each helper adds one rule with its meta.

    ``flags_seen``: the distinct ``flags`` values of the frame the suite will validate, or None for
    the suite of any frame. A row condition "flags has F" is membership in the flags values that hold
    F: of every valid value (512 strings for 10 flag codes) for any frame, of the values seen for a
    known frame -- the same rows, and GX serialises each condition many times per validation."""

    def __init__(self, flags_seen: Collection[str] | None = None) -> None:
        self.gxe, self.col = _gx()
        self.expectations: list[Any] = []
        self.flags_seen = None if flags_seen is None else sorted(set(flags_seen))

    def add(self, name: str, rule: str, where: tuple[Any, str] | None = None, **kwargs: Any) -> None:
        """Add ``gxe.<name>(**kwargs)``; ``where`` is (row condition, its description)."""
        meta = {"rule": rule}
        if where is not None:
            kwargs["row_condition"], meta["where"] = where
        self.expectations.append(getattr(self.gxe, name)(meta=meta, **kwargs))

    def between(
        self,
        column: str,
        low: float | None,
        high: float | None,
        rule: str,
        where: tuple[Any, str] | None = None,
    ) -> None:
        self.add("ExpectColumnValuesToBeBetween", rule, where, column=column, min_value=low, max_value=high)

    def not_null(self, column: str, rule: str, where: tuple[Any, str] | None = None) -> None:
        self.add("ExpectColumnValuesToNotBeNull", rule, where, column=column)

    def null(self, column: str, rule: str, where: tuple[Any, str] | None = None) -> None:
        self.add("ExpectColumnValuesToBeNull", rule, where, column=column)

    def at_least(self, high: str, low: str, rule: str, where: tuple[Any, str] | None = None) -> None:
        """high >= low wherever both are present (and ``where`` holds)."""
        self.add(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            rule,
            where,
            column_A=high,
            column_B=low,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )

    # row conditions -------------------------------------------------------------------------
    def _values_with(self, flag: str) -> list[str]:
        """The flags values holding ``flag`` (never empty: ``flag`` alone is one)."""
        if self.flags_seen is None:
            return list(flag_values_with(flag))
        seen = [v for v in self.flags_seen if isinstance(v, str) and flag in v.split(FLAG_SEPARATOR)]
        return sorted({flag, *seen})

    def has_flag(self, flag: str) -> tuple[Any, str]:
        return self.col("flags").is_in(self._values_with(flag)), f"flags has {flag}"

    def lacks_flag(self, flag: str) -> tuple[Any, str]:
        return self.col("flags").is_not_in(self._values_with(flag)), f"flags lacks {flag}"

    def is_null(self, column: str) -> tuple[Any, str]:
        return self.col(column).is_null(), f"{column} is null"

    def is_not_null(self, column: str) -> tuple[Any, str]:
        return self.col(column).is_not_null(), f"{column} is not null"


def _common(b: _Builder, table: str, previous_row_count: int | None) -> None:
    """Rules every published table shares: its columns, its key and the shared columns' domains."""
    cols = columns(table)
    key = KEYS[table]
    b.add("ExpectTableColumnsToMatchOrderedList", "published columns, in order [9]", column_list=cols)
    b.add("ExpectCompoundColumnsToBeUnique", f"one row per {', '.join(key)} [9]", column_list=key)
    for column, kind in TABLES[table].items():
        b.add(
            "ExpectColumnValuesToBeInTypeList",
            f"{column} is {kind} ({'text' if kind == 'text' else 'a number'}) [9]",
            column=column,
            type_list=KIND_DTYPES[kind],
        )
    b.add("ExpectTableRowCountToBeBetween", "a published table is not empty", min_value=1)
    for column in dict.fromkeys([*key, "release_id", "data_status"]):
        if column in cols:
            b.not_null(column, "key and release columns are never empty")
    if "data_status" in cols:
        b.add(
            "ExpectColumnValuesToBeInSet",
            "data_status is 'published' or 'demonstration' [9]",
            column="data_status",
            value_set=list(DATA_STATUSES),
        )
    if "year" in cols:
        b.between("year", *YEAR_RANGE, f"survey year within {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")
    if "sector_code" in cols:
        b.add(
            "ExpectColumnValuesToBeInSet",
            "sector_code is a sector of the seed sectors.csv [1]",
            column="sector_code",
            value_set=list(sector_codes()),
        )
    if "flags" in cols:
        b.add(
            "ExpectColumnValuesToMatchRegex",
            f"flags: empty or distinct, sorted ';'-separated tokens of {', '.join(flag_codes())} [9]",
            column="flags",
            regex=flags_pattern(),
        )


def index_sector_year(
    previous_row_count: int | None = None,
    rules: MethodRules | None = None,
    flags_seen: Collection[str] | None = None,
) -> list[Any]:
    """Expectations of ``index_sector_year`` (spec sections 6, 7, 9)."""
    rules = rules or method_rules()
    b = _Builder(flags_seen)
    _common(b, "index_sector_year", previous_row_count)
    for column in ("method_version", "sector_nb", "sector_en", "n_components"):
        b.not_null(column, "descriptive columns are never empty")
    for column in ("index", "index_ci_low", "index_ci_high"):
        b.between(column, 0, 100, "scores and their bounds lie on 0..100 [6]")
    # spec 7 (method 1.1 and 1.2): a percentile interval that leaves out its estimate is published as
    # computed with flag SKEWED, and no check treats that as an error
    not_skewed = b.lacks_flag("SKEWED")
    b.at_least("index", "index_ci_low", "the interval contains the index unless SKEWED [7]", not_skewed)
    b.at_least("index_ci_high", "index", "the interval contains the index unless SKEWED [7]", not_skewed)
    b.at_least("index_ci_high", "index_ci_low", "index_ci_low <= index_ci_high [7]")
    for column in ("rank", "rank_p05", "rank_p95"):
        b.between(column, 1, None, "rank 1 = most burden; ranks are >= 1 [7]")
    b.at_least("rank_p95", "rank_p05", "rank_p05 <= rank_p95 [7]")
    b.between("n_components", 0, len(component_ids()), f"n_components within 0..{len(component_ids())} [6]")
    b.between(
        "n_components",
        rules.min_components_for_index,
        None,
        f"an index rests on at least {rules.min_components_for_index} components [6]",
        b.is_not_null("index"),
    )
    b.null("index", "an INSUFFICIENT row has no index [6]", b.has_flag("INSUFFICIENT"))
    b.not_null("index", "a row without an index is flagged INSUFFICIENT [6]", b.lacks_flag("INSUFFICIENT"))
    b.null("rank", "no index, no rank [7]", b.is_null("index"))
    b.not_null("rank", "every index has a rank [7]", b.is_not_null("index"))
    for column in ("index_ci_low", "index_ci_high", "rank_p05", "rank_p95"):
        b.null(column, "no index, no interval [7]", b.is_null("index"))
    return b.expectations


def component_sector_year(
    previous_row_count: int | None = None,
    rules: MethodRules | None = None,
    flags_seen: Collection[str] | None = None,
) -> list[Any]:
    """Expectations of ``component_sector_year`` (spec sections 4, 5, 6, 9)."""
    rules = rules or method_rules()
    b = _Builder(flags_seen)
    _common(b, "component_sector_year", previous_row_count)
    col = b.col
    percent = col("component_id").is_in(list(percent_component_ids())), "component_id in C1..C4"
    register = col("component_id") == "C5", "component_id = C5"
    survey = col("component_id") != "C5", "component_id != C5"
    published_survey = (
        (col("component_id") != "C5") & col("raw_value").is_not_null(),
        "component_id != C5 and raw_value is not null",
    )
    b.add(
        "ExpectColumnValuesToBeInSet",
        "component_id is one of C1..C5 [4]",
        column="component_id",
        value_set=list(component_ids()),
    )
    for column in ("component_name", "unit"):
        b.not_null(column, "descriptive columns are never empty")
    for column in ("raw_value", "raw_ci_low", "raw_ci_high"):
        b.between(column, 0, 100, "survey components are percentages or 0..100 scores [4]", percent)
        b.between(column, 0, None, "imposed reporting hours are >= 0 [4]", register)
    not_skewed = b.lacks_flag("SKEWED")
    b.at_least("raw_value", "raw_ci_low", "the interval contains the value unless SKEWED [7]", not_skewed)
    b.at_least("raw_ci_high", "raw_value", "the interval contains the value unless SKEWED [7]", not_skewed)
    b.at_least("raw_ci_high", "raw_ci_low", "raw_ci_low <= raw_ci_high [7]")
    b.between("normalised", 0, 100, "normalised scores lie on 0..100 [6]")
    b.not_null("n", "every survey cell publishes its n [5]", survey)
    b.between("n", 0, None, "n is a count [5]")
    b.between(
        "n",
        rules.min_respondents,
        None,
        f"a published survey value rests on at least {rules.min_respondents} respondents [5]",
        published_survey,
    )
    b.between("n_eff", 0, None, "n_eff is >= 0 [3]")
    b.between("cv", 0, None, "cv is >= 0 [5]")
    n_eff_rule = (
        f"a published survey value rests on an effective sample size of at least {rules.min_published_n_eff:g} [5]"
    )
    b.between("n_eff", rules.min_published_n_eff, None, n_eff_rule, published_survey)
    b.between("dk_share", 0, 100, "dk_share is a percentage [4]")
    suppressed = b.has_flag("SUPPRESSED")
    for column in ("raw_value", "raw_ci_low", "raw_ci_high", "normalised", "n_eff", "cv", "dk_share"):
        b.null(column, "a SUPPRESSED cell publishes only its identity, n and flags [5]", suppressed)
    return b.expectations


def context_sector_year(previous_row_count: int | None = None, flags_seen: Collection[str] | None = None) -> list[Any]:
    """Expectations of ``context_sector_year`` (public statistics beside the index, spec section 9)."""
    b = _Builder(flags_seen)
    _common(b, "context_sector_year", previous_row_count)
    for column in ("sector_nb", "sector_en", "indicator_nb", "indicator_en", "unit", "source_id"):
        b.not_null(column, "descriptive and source columns are never empty")
    b.add("ExpectColumnValuesToMatchRegex", "period is an SSB period", column="period", regex=PERIOD_PATTERN)
    b.between("value", 0, None, "context statistics are counts or shares, >= 0")
    units = percent_units()
    b.between("value", 0, 100, "percentages lie on 0..100", (b.col("unit").is_in(list(units)), "unit is a %"))
    b.not_null("value", "a figure is a number or carries an SSB status symbol", b.is_null("status"))
    return b.expectations


def sensitivity(
    previous_row_count: int | None = None,
    rules: MethodRules | None = None,
    flags_seen: Collection[str] | None = None,
) -> list[Any]:
    """Expectations of ``sensitivity`` (spec section 7, scenarios S0..S4)."""
    rules = rules or method_rules()
    b = _Builder(flags_seen)
    _common(b, "sensitivity", previous_row_count)
    b.add(
        "ExpectColumnValuesToBeInSet",
        "scenario_id is one of S0..S4 [7]",
        column="scenario_id",
        value_set=list(scenario_ids(rules.method_version)),
    )
    b.between("index", 0, 100, "scores lie on 0..100 [6]")
    for column in ("rank", "rank_p05", "rank_p95"):
        b.between(column, 1, None, "ranks are >= 1 [7]")
    b.at_least("rank_p95", "rank_p05", "rank_p05 <= rank_p95 [7]")
    b.null("rank", "no index, no rank [7]", b.is_null("index"))
    b.not_null("rank", "every index has a rank [7]", b.is_not_null("index"))
    for column in ("rank_p05", "rank_p95"):
        b.null(column, "no index, no rank interval [7]", b.is_null("index"))
        b.not_null(column, "every index has a rank interval [7]", b.is_not_null("index"))
    return b.expectations


def rank_order_frame(table: str, df: Any) -> Any:
    """Columns of ``table`` needed to check that ranks follow the index, plus ``rank_from_index``:
    1 + the number of rows of the same year (and scenario) with a strictly higher index (spec 7: rank 1
    = most burden, ties share the smallest rank, from unrounded values); empty where index is empty."""
    group = RANK_GROUPS[table]
    frame = df[[*KEYS[table], "index", "rank"]].copy()
    frame["index"] = frame["index"].astype("float64")
    frame["rank_from_index"] = frame.groupby(group)["index"].rank(method="min", ascending=False).astype("Int64")
    if "scenario_id" in frame:
        # S4 publishes the median index and, separately, the median rank over the weight draws (spec 7):
        # two medians need not be in the same order when sectors are nearly tied, so S4 is not checked
        frame.loc[frame["scenario_id"] == "S4", "rank_from_index"] = None
    return frame


def rank_order(previous_row_count: int | None = None, flags_seen: Collection[str] | None = None) -> list[Any]:
    """Ranks agree with the index: a higher index never has a worse rank."""
    b = _Builder()
    b.add(
        "ExpectColumnPairValuesToBeEqual",
        "ranks follow the index: rank = 1 + number of sectors with a higher index in the year, so a higher "
        "index never has a worse rank; ties share the smallest rank [7]",
        column_A="rank",
        column_B="rank_from_index",
        ignore_row_if="either_value_is_missing",
    )
    return b.expectations


def row_count(previous_row_count: int | None = None, flags_seen: Collection[str] | None = None) -> list[Any]:
    """The rows of the years the previous release had stay within the tolerance of its row count.

    The runner validates this suite on the rows of those years only: a new survey year adds rows
    without tripping it, a year or sectors that disappear (or a join that multiplies rows) do."""
    b = _Builder()
    if previous_row_count is not None and previous_row_count > 0:
        b.add(
            "ExpectTableRowCountToBeBetween",
            f"row count of the previous release's years within {ROW_COUNT_TOLERANCE:.0%} of its "
            f"{previous_row_count} rows (new years are additions)",
            min_value=math.floor(previous_row_count * (1 - ROW_COUNT_TOLERANCE)),
            max_value=math.ceil(previous_row_count * (1 + ROW_COUNT_TOLERANCE)),
        )
    return b.expectations


SUITE_BUILDERS: dict[str, Callable[..., list[Any]]] = {
    "index_sector_year": lambda count, flags_seen: index_sector_year(count, flags_seen=flags_seen),
    "component_sector_year": lambda count, flags_seen: component_sector_year(count, flags_seen=flags_seen),
    "context_sector_year": context_sector_year,
    "sensitivity": lambda count, flags_seen: sensitivity(count, flags_seen=flags_seen),
    **{table + RANK_ORDER_SUFFIX: rank_order for table in RANK_GROUPS},
    **{table + ROW_COUNT_SUFFIX: row_count for table in TABLES},
}


def build_suite(table: str, previous_row_count: int | None = None, flags_seen: Collection[str] | None = None) -> Any:
    """The GX ``ExpectationSuite`` (named ``table``) of a published table.

    ``previous_row_count``: used by the ``<table>__row_count`` suites only (rows of the same table
    in the previous release). ``flags_seen``: the distinct ``flags`` values of the frame to validate
    (the same verdicts as the suite of any frame, built and evaluated much faster; see ``_Builder``).

    The expectations are handed to the suite's constructor: ``add_expectation`` compares each new
    expectation with every earlier one (quadratic, seconds per run); the builders never repeat one,
    which ``tests/expectations/test_suites.py`` checks."""
    import great_expectations as gx

    if table not in SUITE_BUILDERS:
        raise KeyError(f"no expectation suite for table '{table}'; known: {', '.join(SUITE_BUILDERS)}")
    return gx.ExpectationSuite(name=table, expectations=SUITE_BUILDERS[table](previous_row_count, flags_seen))
