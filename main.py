"""Start the photosearch desktop app (same as running `photosearch` with no command)."""

import sys

from photosearch.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
