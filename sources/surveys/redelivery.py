"""Re-deliveries are explicit: what a new version of a survey changes, in counts only.

A delivery of a survey that already has a current version (the newest stored version, by arrival)
is compared with it on the keyed canonical records (:mod:`sources.surveys.records`): respondents
added, removed and changed (same key, other answers), and the first and last response dates. The
delivery is **held** in the quarantine, until an operator accepts it with
``python -m sources.surveys accept SURVEY_ID DELIVERY``, when it

- removes respondents (fewer respondents, or some replaced by others),
- changes the answers of a respondent already delivered (the same id, other answers), or
- holds older responses (its last response date is earlier than the current version's).

A delivery that only adds respondents (a late batch, a corrected export with more rows) is stored
at once. Nothing here quotes an answer or an id: the summary is counts and dates.
"""

from dataclasses import dataclass, field

import pandas as pd

from sources.surveys.records import row_digests


@dataclass
class Comparison:
    """A new delivery against the current version of its survey (counts only)."""

    current_version: str
    respondents_before: int
    respondents_now: int
    added: int
    removed: int
    changed: int
    responses_before: str | None
    responses_now: str | None
    reasons: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.reasons)

    def summary(self) -> dict:
        return {
            "current_version": self.current_version,
            "respondents_before": self.respondents_before,
            "respondents_now": self.respondents_now,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "responses_before": self.responses_before,
            "responses_now": self.responses_now,
            "reasons": self.reasons,
        }

    def text(self) -> str:
        dates = f"responses {self.responses_before or '?'} -> {self.responses_now or '?'}"
        return (
            f"against the current version {self.current_version}: {self.respondents_before} -> "
            f"{self.respondents_now} respondents ({self.added} added, {self.removed} removed, "
            f"{self.changed} changed); {dates}"
        )


def _last_date(responses: str | None) -> str | None:
    if not responses or ".." not in responses:
        return None
    return responses.split("..", 1)[1]


def compare(
    current: pd.DataFrame,
    new: pd.DataFrame,
    current_version: str,
    responses_before: str | None,
    responses_now: str | None,
) -> Comparison:
    """Count what ``new`` (keyed records) changes against ``current`` and say why it is held, if it is."""
    before, now = row_digests(current), row_digests(new)
    added = len(now.keys() - before.keys())
    removed = len(before.keys() - now.keys())
    changed = sum(1 for key in now.keys() & before.keys() if now[key] != before[key])
    result = Comparison(
        current_version, len(before), len(now), added, removed, changed, responses_before, responses_now
    )
    if removed:
        result.reasons.append(f"{removed} respondent(s) of the current version are missing")
    if changed:
        result.reasons.append(f"{changed} respondent(s) have other answers under the same id")
    last_before, last_now = _last_date(responses_before), _last_date(responses_now)
    if last_before and last_now and last_now < last_before:
        result.reasons.append(f"its last response ({last_now}) is older than the current version's ({last_before})")
    return result
