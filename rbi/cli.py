"""``rbi``: one command for survey coordinators and operators, from any folder.

    rbi validate EXPORT MAPPING        check a survey export against its mapping (before delivery)
    rbi plan --population FILE ...     respondents (and invitations) each sector needs
    rbi check EXPORT MAPPING ...       how far a finished export is from publishable
    rbi sample --tool nettskjema ...   an invented export and mapping to try the checks with
    rbi inbox                          store or quarantine every delivery in the inbox
    rbi accept ...                     accept a quarantined delivery (when this installation has it)
    rbi withdraw / rbi erase ...       withdraw a survey / erase one respondent (spec section 10)
    rbi run                            run the whole pipeline once (what `make run` does)
    rbi publish ...                    publish the site (when this installation has it)
    rbi health ...                     the deployment's health check (when this installation has it)

Each subcommand is the module command named in ``rbi --help`` (e.g. ``rbi validate`` is
``python -m sources.surveys validate``), run in this process with the same arguments: ``rbi SUB
--help`` shows its options. Files given on the command line are relative to the folder you are in;
the pipeline's own files (seeds, dbt project, output folder) are found from the installation, not
from the current folder. Installed by ``make setup`` (an editable install of the checkout).
"""

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from storage.paths import REPO_ROOT

# as the Makefile exports them: no telemetry from Dagster, dbt or Great Expectations
QUIET_ENVIRONMENT = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "GX_ANALYTICS_ENABLED": "False"}


@dataclass(frozen=True)
class Command:
    """One ``rbi`` subcommand: the module whose ``main(argv)`` runs it, and the argv prefix."""

    summary: str
    modules: tuple[str, ...]  # the first importable one runs (later ones: where other versions put it)
    prefix: tuple[str, ...] = ()  # arguments put before the user's (the module's own subcommand)
    needs: str = ""  # a word on what must exist first, printed when no module is importable

    def module(self) -> str | None:
        for name in self.modules:
            try:
                if importlib.util.find_spec(name) is not None:
                    return name
            except ModuleNotFoundError:  # a parent package that does not exist
                continue
        return None


def _surveys(sub: str, summary: str) -> Command:
    return Command(summary, ("sources.surveys.__main__",), (sub,))


COMMANDS: dict[str, Command] = {
    "validate": _surveys("validate", "check a survey export against its mapping file (before delivery)"),
    "plan": Command("respondents and invitations each sector needs", ("kit.planner.__main__",), ("plan",)),
    "check": Command("how far a finished export is from publishable", ("kit.planner.__main__",), ("check",)),
    "sample": Command("write an invented export and mapping to try the checks with", ("kit.sample",)),
    "inbox": _surveys("inbox", "store or quarantine every delivery in the inbox (what the sensor does)"),
    "accept": Command(
        "accept a quarantined delivery",
        ("sources.surveys.__main__",),
        ("accept",),
        needs="a version of sources.surveys with the 'accept' command",
    ),
    "withdraw": _surveys("withdraw", "withdraw a survey from every later release (spec section 10)"),
    "erase": _surveys("erase", "erase one respondent's answers (spec section 10)"),
    "run": Command("run the whole pipeline once, as `make run` does", ("orchestration.run",)),
    "publish": Command(
        "publish the site (output/site/) to RBI_PUBLISH_TARGET, in an order that never shows a broken site",
        ("publication.publish.__main__",),
        needs="publication/publish (the site publisher); `rbi run` builds a release",
    ),
    "health": Command(
        "the deployment's health: code server, webserver, daemon (exit 1 when one is down)",
        ("orchestration.operate",),
        ("health",),
        needs="orchestration/operate.py (the deployment's operator command)",
    ),
}


def _has_subcommand(module: str, sub: str) -> bool:
    """Whether ``module``'s command line knows ``sub`` (read from its source, without running it)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return False
    with open(spec.origin, encoding="utf-8") as handle:
        source = handle.read()
    return f'add_parser("{sub}"' in source or f"add_parser('{sub}'" in source


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [
        "usage: rbi <command> [options]   (rbi <command> --help for the options of one)",
        "",
        "One command for survey coordinators and operators, from any folder.",
        "",
        "commands:",
    ]
    for name, command in COMMANDS.items():
        module = command.module()
        if module is None or (name == "accept" and not _has_subcommand(module, "accept")):
            where = "not available in this installation"
        else:
            where = f"python -m {module.removesuffix('.__main__')} {' '.join(command.prefix)}".rstrip()
        lines.append(f"  {name:<{width}}  {command.summary}  [{where}]")
    lines += ["", f"installation: {REPO_ROOT}"]
    return "\n".join(lines) + "\n"


def _unavailable(name: str, command: Command, argv: list[str]) -> int:
    message = f"rbi {name}: not available in this installation: it needs {command.needs}."
    if "-h" in argv or "--help" in argv:
        print(f"usage: rbi {name} ...\n\n{command.summary}.\n{message}")
        return 0
    print(message, file=sys.stderr)
    return 2


def _entry(module: str) -> Callable[[list[str]], int | None]:
    return importlib.import_module(module).main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    command = COMMANDS.get(name)
    if command is None:
        sys.stderr.write(f"rbi: unknown command {name!r}\n\n" + usage())
        return 2
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    module = command.module()
    if module is None or (name == "accept" and not _has_subcommand(module, "accept")):
        return _unavailable(name, command, rest)
    if name == "run":
        manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
        if not manifest.exists() and not {"-h", "--help"} & set(rest):
            print(f"rbi run: {manifest} is missing: run `make setup` in {REPO_ROOT} first", file=sys.stderr)
            return 2
        if not any(a.startswith(("-c", "--config")) for a in rest):
            rest = [*rest, "-c", str(REPO_ROOT / "orchestration" / "run_config.yaml")]
    try:
        status = _entry(module)([*command.prefix, *rest])
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    if name == "run" and status == 0:
        importlib.import_module("orchestration.summary").main()
    return int(status or 0)
