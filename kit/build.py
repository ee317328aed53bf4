"""Write (or check) every file generated from ``kit/questionnaire.yml``.

python -m kit.build           # rewrite the generated files
python -m kit.build --check   # exit 1 and name the files that differ from the questionnaire
"""

import argparse
import sys
from pathlib import Path

from kit.mappings import mapping_text
from kit.markdown import questionnaire_markdown
from kit.questionnaire import KIT_DIR, Questionnaire, load


def generated_files(q: Questionnaire) -> dict[Path, str]:
    return {
        KIT_DIR / "questionnaire.nb.md": questionnaire_markdown(q, "nb"),
        KIT_DIR / "questionnaire.en.md": questionnaire_markdown(q, "en"),
        KIT_DIR / "nettskjema" / "mapping.yml": mapping_text(q, "nettskjema"),
        KIT_DIR / "msforms" / "mapping.yml": mapping_text(q, "msforms", "nb"),
        KIT_DIR / "msforms" / "mapping.en.yml": mapping_text(q, "msforms", "en"),
    }


def stale_files(q: Questionnaire) -> list[Path]:
    return [p for p, text in generated_files(q).items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kit.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that the generated files are up to date")
    args = parser.parse_args(argv)
    q = load()
    if args.check:
        stale = stale_files(q)
        for path in stale:
            print(f"{path}: out of date with kit/questionnaire.yml (run: python -m kit.build)")
        return 1 if stale else 0
    for path, text in generated_files(q).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(KIT_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
