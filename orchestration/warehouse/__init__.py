"""The warehouse: the dbt project as assets and the register of the inputs the raw tables hold."""
