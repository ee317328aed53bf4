"""Readable text tables for the planner's two modes."""

from collections.abc import Sequence

from kit.planner.assumptions import Assumptions
from kit.planner.check import ExportCheck, shown_value
from kit.planner.plan import WIDTH_MARGIN, SectorPlan
from method import CURRENT_VERSION
from method.precision import describe, rules_in_force
from method.weights import min_per_sex


def _numeric(text: str) -> bool:
    return text in ("", "–") or text.replace(",", "").replace(".", "", 1).lstrip("-").isdigit()


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in header]] + [["–" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    left = {i for i in range(len(header)) if any(not _numeric(r[i]) for r in cells[1:])}

    def line(r: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i in left else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])]) + "\n"


def _fmt(x: float | None, digits: int = 1) -> str | None:
    return None if x is None else f"{x:.{digits}f}"


def assumptions_text(a: Assumptions) -> str:
    rows = [(c, _fmt(e.value), _fmt(e.sd), f"{100 * e.valid:.0f} %") for c, e in a.default.items()]
    lines = [
        f"Assumptions (method {CURRENT_VERSION}): design effect {a.deff:g} (n_eff = n / {a.deff:g}); a cell is "
        f"planned to be published with probability >= {a.assurance:g}.",
        f"Rules: {describe()}; a LOW_PRECISION value is published with its flag.",
        "",
        table(("component", "expected value", "sd", "valid answers"), rows),
    ]
    for sector, overrides in sorted(a.sectors.items()):
        for c, e in overrides.items():
            lines.append(f"  {sector} {c}: value {e.value:g}, sd {_fmt(e.sd)}, valid {100 * e.valid:.0f} %")
    return "\n".join(lines)


def plan_text(plans: Sequence[SectorPlan], a: Assumptions) -> str:
    header = ["sector", "C1", "C2", "C3", "C4", "needed", "invite", "no LOW_PREC", "invite", "employees", "verdict"]
    rows = []
    for p in plans:
        rows.append(
            [
                p.sector,
                *(c.respondents for c in p.components),
                p.respondents,
                p.invitations,
                p.clean_respondents,
                p.clean_invitations,
                None if p.population is None else f"{p.population:,.0f}",
                p.verdict,
            ]
        )
    widths = ", ".join(f"{c.component} {c.expected_width:.1f}" for c in plans[0].components if c.expected_width)
    rate = plans[0].response_rate if plans else None
    invite = (
        f"invite: respondents needed / response rate {rate:g}"
        if rate
        else "invite: give --response-rate (and --population) to see whom to invite"
    )
    return (
        assumptions_text(a)
        + "\nRespondents needed per sector (C1..C4: for that component's cell; needed: for all four;\n"
        + "no LOW_PREC: for all four without the LOW_PRECISION flag; "
        + invite
        + "):\n\n"
        + table(header, rows)
        + f"\nExpected interval width W at the planned size (default sector): {widths}"
        + f" (planned {WIDTH_MARGIN:g} point inside the limits W < 30 and W < 20).\n"
        + "Which to choose: the second 'invite' (no LOW_PREC) when the figures should be published without\n"
        + "the LOW_PRECISION flag (recommended: a flagged figure has a wide interval and is easy to misread);\n"
        + "the first 'invite' is the least for the figures to be published at all.\n"
    )


def check_text(result: ExportCheck) -> str:
    header = ["sector", "resp.", "comp.", "n", "n_eff", "value", "W", "decision", "more needed"]
    rows = []
    for s in result.sectors:
        for i, c in enumerate(s.cells):
            shown = shown_value(c.cell)
            status = c.decision.status if c.decision.publishes else f"SUPPRESSED: {c.decision.reason}"
            if c.decision.status == "LOW_PRECISION":
                status = f"LOW_PRECISION: {c.decision.reason}"
            rows.append(
                [
                    s.sector if i == 0 else "",
                    s.respondents if i == 0 else "",
                    c.cell.component,
                    c.cell.n,
                    _fmt(c.cell.n_eff),
                    _fmt(shown),
                    _fmt(c.cell.width) if shown is not None else None,
                    status,
                    c.more_respondents if c.more_respondents else ("unreachable" if c.more_respondents is None else ""),
                ]
            )
    summary = [
        table(
            ["sector", "respondents", "weighting", "cells published", "more respondents needed"],
            [
                [s.sector, s.respondents, s.weighting, f"{s.published} of 4", s.more_respondents or "none"]
                for s in result.sectors
            ],
        )
    ]
    return (
        f"export:  {result.export}\nsurvey:  {result.survey_id} ({result.year}), {result.rows_kept} rows read"
        + (f", {result.rows_rejected} rejected" if result.rows_rejected else "")
        + f"\nmethod:  {CURRENT_VERSION} ({describe()})\n"
        + f"note:    values and widths are shown only where n >= {rules_in_force().suppress_n_below:g}; "
        + "this survey alone, before pooling with others\n"
        + (
            "weights: equal where the population has no F and M rows for the sector, fewer than "
            f"{min_per_sex()} of a sex\n"
            "         answered, or no --population was given (the pipeline's population table works)\n"
            if any(s.weighting == "equal weights" for s in result.sectors)
            else ""
        )
        + "\n"
        + table(header, rows)
        + "\n"
        + summary[0]
    )
