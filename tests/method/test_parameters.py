"""The method's parameters come from the seed, for the version in force, and follow a changed seed."""

import shutil

import pytest

from method import current_version, load_parameters
from method.parameters import SEEDS_DIR


def test_the_version_in_force_is_the_dbt_var_and_has_parameters():
    params = load_parameters()
    assert params.version == current_version()
    assert params.integer("suppress_n_below") == 10


def test_method_1_2_parameters_are_those_of_the_spec():
    params = load_parameters("1.2")
    assert params.integer("poststrat_min_per_sex") == 10
    assert params.integer("revision_atom_min") == 10
    assert params["nchs_relative_width_above"] == pytest.approx(1.30)
    assert "revision_hold_below" not in params.values


def test_a_scratch_copy_of_the_seed_is_followed(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    seed = seeds / "method_parameters.csv"
    seed.write_text(seed.read_text().replace("1.2,suppress_n_below,10", "1.2,suppress_n_below,12"))
    assert load_parameters("1.2", seeds_dir=seeds).integer("suppress_n_below") == 12


def test_an_unknown_parameter_or_version_is_named():
    with pytest.raises(KeyError, match="no parameter 'nope'"):
        load_parameters("1.2").number("nope")
    with pytest.raises(ValueError, match=r"no rows for method version '9\.9'"):
        load_parameters("9.9")
