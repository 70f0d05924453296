"""`python -m sijpath` runs the command line."""

import sys

from sijpath.cli import main

sys.exit(main())
