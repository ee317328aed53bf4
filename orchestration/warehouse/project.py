"""The dbt project as Dagster sees it (kept in its own module for `dagster-dbt project prepare-and-package`)."""

from dagster_dbt import DbtProject

from storage.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
