import sys

from rbi.cli import main

sys.exit(main())
