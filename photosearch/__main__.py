"""`python -m photosearch` is the same as the `photosearch` command."""

import sys

from photosearch.cli import main

sys.exit(main())
