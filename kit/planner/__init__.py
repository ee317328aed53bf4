"""Sample-size planner for method 1.1: ``python -m kit.planner plan|check`` (see ``kit/README.md``)."""
