"""Sample-size planner for the method in force (1.2): ``python -m kit.planner plan|check`` (see ``kit/README.md``)."""
