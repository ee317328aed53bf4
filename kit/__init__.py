"""The survey kit: the questionnaire, ready mappings for Nettskjema and Microsoft Forms, sample
exports, and a sample-size planner (``python -m kit.planner``). See ``kit/README.md``."""
