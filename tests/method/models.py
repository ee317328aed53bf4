"""Imports the NumPy functions of the dbt Python models from their files (they are not a package:
dbt-duckdb loads each model file by path, and so do the tests and the benchmark)."""

import importlib.util
from pathlib import Path
from types import ModuleType

MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate"


def load_model_module(name: str) -> ModuleType:
    path = MODELS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"dbt_model_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


replicates_model = load_model_module("int_component_replicates")
perturbations_model = load_model_module("int_weight_perturbations")
intervals_model = load_model_module("int_component_intervals")
