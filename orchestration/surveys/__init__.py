"""Surveys: the per-survey partition asset, the canonical records of every survey, and the inbox sensor."""
