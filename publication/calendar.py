"""When the next release comes: derived from the newest survey year, never from the clock."""

from collections.abc import Sequence


def next_release(years: Sequence[int]) -> tuple[str, str]:
    """(Norwegian, English) sentence on the next planned release."""
    if not years:
        return ("Neste utgivelse kommer når en undersøkelse foreligger.", "The next release follows the next survey.")
    following = max(years) + 1
    return (
        f"Neste ordinære utgivelse kommer når undersøkelsen for {following} er ferdig, normalt våren {following + 1}; "
        "rettelser kommer som nye utgivelser med endringslogg.",
        f"The next regular release follows the {following} survey, normally in spring {following + 1}; "
        "corrections come as new releases with a changelog.",
    )
