"""Prints where a run's outputs are (the last step of `make run`)."""

from publication.store import current_release
from storage.paths import Paths


def main() -> None:
    paths = Paths.from_env()
    releases = paths.releases
    release = current_release(releases)
    print()
    print("Outputs")
    print(f"  warehouse (internal, dbt): {paths.warehouse}")
    if release is None:
        print(f"  no release published yet under {releases}")
        return
    folder = releases / release
    print(f"  public site (offline):     {paths.site / 'index.html'}")
    print(f"  current release:           {folder}")
    for path in sorted(folder.iterdir()):
        print(f"    {path.name}")
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    if readme.startswith("DEMONSTRASJONSDATA"):
        print("  NOTE: this release is DEMONSTRATION data (invented numbers), as every file in it says.")


if __name__ == "__main__":
    main()
