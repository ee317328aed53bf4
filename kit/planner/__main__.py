"""Sample-size planner for the method in force (1.2: disclosure n >= 10; NCHS precision rules on n_eff and W).

    python -m kit.planner plan  [--population CSV] [--response-rate R] [--assumptions YAML]
                                [--deff D] [--assurance A] [--c1 V] [--c1-sd S] [--c2 V] [--c3 V]
                                [--c4 V] [--c4-sd S] [--sector CODE ...] [--json]
    python -m kit.planner check EXPORT MAPPING [--population CSV] [--assumptions YAML]
                                [--replicates B] [--json]

``plan``: respondents each sector needs for its four survey component cells to be published, and,
with population sizes and a response rate, how many to invite. ``check``: for a finished export
and its mapping (read by the pipeline's own reader), per sector n, n_eff, expected interval widths,
the decision of each cell and how many more respondents a sector needs.
Exit status: 0; 1 when a sector is not reachable (plan) or a cell would be suppressed (check);
2 for bad input (an unreadable population file, a rejected export, a bad option).
"""

import argparse
import json
import sys
from pathlib import Path

from kit.planner.assumptions import AssumptionsError, load_assumptions
from kit.planner.check import ExportRejected, check, check_to_dict
from kit.planner.plan import SectorPlan, plan_sector
from kit.planner.tables import check_text, plan_text
from kit.population import PopulationError, read_population
from method import CURRENT_VERSION
from sources.reference import sector_codes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kit.planner", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="respondents needed per sector")
    check_ = sub.add_parser("check", help="how far a finished export is from publishable")
    check_.add_argument("export", type=Path)
    check_.add_argument("mapping", type=Path)
    check_.add_argument("--replicates", type=int, default=1000, help="bootstrap replicates for C1/C4 (default 1000)")
    for p in (plan, check_):
        p.add_argument("--population", type=Path, help="CSV with sector_code, employees (the population table works)")
        p.add_argument("--assumptions", type=Path, help="YAML with expected values per component and sector")
        p.add_argument("--deff", type=float, help="design effect of weighting (default 1.3)")
        p.add_argument("--assurance", type=float, help="probability that a planned cell publishes (default 0.9)")
        p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    plan.add_argument("--response-rate", type=float, help="expected response rate, 0..1")
    plan.add_argument("--year", type=int, help="population year (default: the latest in the file)")
    plan.add_argument(
        "--sector",
        action="append",
        type=lambda code: code.strip().upper(),
        choices=sector_codes(),
        metavar="CODE",
        help=f"plan only these sectors (any case; one of {', '.join(sector_codes())}; kit/SECTORS.md)",
    )
    for flag, help_ in (
        ("--c1", "expected C1, %% of working hours to documentation (default 20)"),
        ("--c1-sd", "SD between respondents of that share, percentage points (default 12)"),
        ("--c2", "expected C2, %% agreeing that reporting is of little use (default 50)"),
        ("--c3", "expected C3, %% reporting the same thing often or very often (default 40)"),
        ("--c4", "expected C4, autonomy deficit 0..100 (default 40)"),
        ("--c4-sd", "SD between respondents of the autonomy score (default 20)"),
        ("--valid", "share of respondents with a valid answer, all components (defaults 0.9-0.95)"),
    ):
        plan.add_argument(flag, type=float, help=help_)
    return parser


def _overrides(args: argparse.Namespace) -> dict:
    out: dict[str, dict[str, float]] = {}
    for key, (component, field) in {
        "c1": ("C1", "value"),
        "c1_sd": ("C1", "sd"),
        "c2": ("C2", "value"),
        "c3": ("C3", "value"),
        "c4": ("C4", "value"),
        "c4_sd": ("C4", "sd"),
    }.items():
        if getattr(args, key, None) is not None:
            out.setdefault(component, {})[field] = getattr(args, key)
    if getattr(args, "valid", None) is not None:
        for component in ("C1", "C2", "C3", "C4"):
            out.setdefault(component, {})["valid"] = args.valid
    return out


def plan_to_dict(plans: list[SectorPlan], assumptions) -> dict:
    return {
        "method_version": CURRENT_VERSION,
        "deff": assumptions.deff,
        "assurance": assumptions.assurance,
        "sectors": [
            {
                "sector_code": p.sector,
                "respondents_needed": p.respondents,
                "respondents_needed_without_low_precision": p.clean_respondents,
                "population": p.population,
                "response_rate": p.response_rate,
                "invitations": p.invitations,
                "invitations_without_low_precision": p.clean_invitations,
                "verdict": p.verdict,
                "components": [
                    {
                        "component_id": c.component,
                        "valid_needed": c.valid,
                        "respondents_needed": c.respondents,
                        "respondents_needed_without_low_precision": c.clean_respondents,
                        "expected_width": None if c.expected_width is None else round(c.expected_width, 1),
                        **{
                            k: v
                            for k, v in vars(assumptions.for_sector(p.sector)[c.component]).items()
                            if v is not None
                        },
                    }
                    for c in p.components
                ],
            }
            for p in plans
        ],
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        assumptions = load_assumptions(
            args.assumptions, deff=args.deff, assurance=args.assurance, overrides=_overrides(args)
        )
        if args.command == "check":
            result = check(args.export, args.mapping, assumptions, args.population, args.replicates)
            out = json.dumps(check_to_dict(result), indent=2) + "\n" if args.json else check_text(result)
            sys.stdout.write(out)
            return 0 if all(c.decision.publishes for s in result.sectors for c in s.cells if s.respondents) else 1
        if args.response_rate is not None and not 0 < args.response_rate <= 1:
            raise AssumptionsError(f"--response-rate {args.response_rate} must be in (0, 1]")
        population = read_population(args.population, args.year) if args.population else {}
        sectors = args.sector or list(sector_codes())
        plans = [
            plan_sector(s, assumptions, population[s].total if s in population else None, args.response_rate)
            for s in sectors
        ]
    except (AssumptionsError, PopulationError, ExportRejected, OSError) as exc:
        print(f"python -m kit.planner: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(
        json.dumps(plan_to_dict(plans, assumptions), indent=2) + "\n" if args.json else plan_text(plans, assumptions)
    )
    return 1 if any(p.verdict.startswith(("not reachable", "short")) for p in plans) else 0


if __name__ == "__main__":
    sys.exit(main())
