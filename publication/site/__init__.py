"""The public site of the releases: a static folder built from ``output/releases/`` (plain Python, no Dagster).

- ``catalog``: what the releases folder holds (every release, its files with sizes and sha256) and
  ``catalog.json``;
- ``feed``: ``feed.xml`` (Atom, one entry per release and per correction);
- ``sectors``: one sector's index and components over every survey year, with the CSV rows;
- ``pages``: the HTML pages (jinja2 templates in ``templates/``), their CSS and colours;
- ``builder``: every file of the site (``build_site``) and the folder it is written to (``write_site``).

The same releases give byte-identical site files: the site's date is the newest release's date.
"""
