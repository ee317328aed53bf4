"""``python -m publication.site``: build the site from the releases into ``Paths.site`` (``make site``)."""

from publication.site.builder import main

main()
