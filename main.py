"""Start the photosearch desktop app (same as running `photosearch` with no command).

freeze_support() first, as in installer/launcher.py: should this file be frozen, worker
processes (the faces pass) start their task instead of a second app."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from photosearch.cli import main

    sys.exit(main(sys.argv[1:]))
