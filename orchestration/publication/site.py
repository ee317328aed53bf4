"""The public site after the release: output/site/ built from output/releases/ (publication/site/),
then published to ``RBI_PUBLISH_TARGET`` when that names another place (publication/publish/)."""

import os

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration.publication.alerts import notify_publish_failure
from orchestration.resources import PipelinePaths
from publication.publish import publish_files, target_from
from publication.site.builder import build_from, write_site


@asset(
    key=AssetKey(["publication", "site"]),
    group_name="publication",
    deps=[AssetKey("csv_release")],
    description=(
        "The public static site of every release (output/site/): index.html, releases/<id>/ (immutable copies), "
        "latest/ (real copies under fixed names), sectors/<code>.html, feed.xml (Atom), catalog.json, 404.html, "
        "robots.txt; then published to RBI_PUBLISH_TARGET (s3://bucket/prefix or a folder) when set."
    ),
    kinds={"html"},
)
def site(context: AssetExecutionContext, pipeline_paths: PipelinePaths) -> MaterializeResult:
    paths = pipeline_paths.paths()
    base_url = os.environ.get("RBI_SITE_URL", "").strip()
    built = build_from(paths.releases, base_url)
    folder = write_site(built, paths.site)
    context.log.info(f"site: {len(built.files)} files for release {built.current_release} at {folder}")
    metadata = {
        "path": MetadataValue.path(str(folder / "index.html")),
        "files": len(built.files),
        "current_release": built.current_release or "",
        "demonstration": built.demonstration,
    }
    setting = os.environ.get("RBI_PUBLISH_TARGET", "").strip()
    if setting and built.current_release is not None:
        target = target_from(setting, paths.site)
        try:
            outcome = publish_files(built.files, target, log=context.log.info)
        except Exception as exc:  # any failure (PublishError, OSError, botocore): alert, then fail the step
            notify_publish_failure(target.description, built.current_release, type(exc).__name__, context.log)
            raise Failure(
                description=f"publishing the site to {target.description} stopped ({type(exc).__name__}); the "
                "previous site stays consistent, run again to complete it"
            ) from exc
        metadata["published_to"] = outcome.target
        metadata["uploaded"] = len(outcome.uploaded)
    return MaterializeResult(metadata=metadata)
