"""The parameters of a method version, read from the seed ``method_parameters.csv``.

The method version in force is the dbt var ``method_version`` of ``dbt_project/dbt_project.yml``
(the models read the seed rows of that version); :func:`current_version` reads the same place, so
the gate, the planner and the models can never run different versions of the rules. A scratch copy
of the seeds folder can be passed as ``seeds_dir`` (tests change a parameter there and see every
reader follow).
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_FILE = REPO_ROOT / "dbt_project" / "dbt_project.yml"
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"
PARAMETERS_SEED = "method_parameters.csv"


@cache
def current_version(project_file: Path = DBT_PROJECT_FILE) -> str:
    """The method version in force: ``vars.method_version`` of the dbt project."""
    with project_file.open(encoding="utf-8") as handle:
        project = yaml.safe_load(handle)
    return str(project["vars"]["method_version"])


CURRENT_VERSION = current_version()


@dataclass(frozen=True)
class MethodParameters:
    """The parameters of one method version: ``params["suppress_n_below"]`` or ``params.number(...)``."""

    version: str
    values: dict[str, str]
    meanings: dict[str, str]

    def __getitem__(self, name: str) -> float:
        return self.number(name)

    def number(self, name: str) -> float:
        if name not in self.values:
            raise KeyError(
                f"method {self.version}: the seed {PARAMETERS_SEED} has no parameter {name!r} "
                f"(it has: {', '.join(sorted(self.values))})"
            )
        return float(self.values[name])

    def integer(self, name: str) -> int:
        value = self.number(name)
        if not value.is_integer():
            raise ValueError(f"method {self.version}: parameter {name!r} = {value} is not a whole number")
        return int(value)


def parameters_from_rows(rows, version: str) -> MethodParameters:
    """The parameters of ``version`` from rows with the seed's columns (method_version, parameter,
    value, meaning): the dbt Python models pass the seed relation they read (``ref("method_parameters")``)."""
    values: dict[str, str] = {}
    meanings: dict[str, str] = {}
    for row in rows:
        if str(row["method_version"]) == version:
            values[str(row["parameter"])] = str(row["value"])
            meanings[str(row["parameter"])] = str(row.get("meaning", "") or "")
    if not values:
        raise ValueError(f"the seed {PARAMETERS_SEED} has no rows for method version {version!r}")
    return MethodParameters(version=version, values=values, meanings=meanings)


def parameters_from_frame(frame, version: str) -> MethodParameters:
    """:func:`parameters_from_rows` of a pandas frame of the seed (a dbt model's ``ref(...).df()``)."""
    return parameters_from_rows(frame.astype(str).to_dict("records"), version)


def load_parameters(version: str | None = None, seeds_dir: Path | None = None) -> MethodParameters:
    """The parameters of ``version`` (default: the version in force) from ``seeds_dir`` (default:
    the module's ``SEEDS_DIR``, looked up at call time so that a test can point every reader that
    uses the default at a scratch copy of the seeds)."""
    folder = seeds_dir or SEEDS_DIR
    # no new Path for a Path: the planner asks hundreds of thousands of times per plan
    return _load(version or CURRENT_VERSION, folder if isinstance(folder, Path) else Path(folder))


@cache
def _load(version: str, seeds_dir: Path) -> MethodParameters:
    values: dict[str, str] = {}
    meanings: dict[str, str] = {}
    with (seeds_dir / PARAMETERS_SEED).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["method_version"] == version:
                values[row["parameter"]] = row["value"]
                meanings[row["parameter"]] = row["meaning"]
    if not values:
        raise ValueError(f"the seed {seeds_dir / PARAMETERS_SEED} has no rows for method version {version!r}")
    return MethodParameters(version=version, values=values, meanings=meanings)
