"""Entry point of the packaged app: the same as the `photosearch` command.

freeze_support() lets a frozen build start worker processes on Windows and macOS (spawn),
should any code use multiprocessing; it is a no-op elsewhere.
"""

import multiprocessing
import sys

from photosearch.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(sys.argv[1:]))
