"""Entry point of the packaged app: the same as the `photosearch` command.

freeze_support() lets a frozen build start worker processes (the faces pass runs dlib in
spawned workers): a worker started from the bundle's executable runs its task and exits
instead of starting a second app. PyInstaller's runtime hook makes it work on Linux and
macOS too. The environment variable tells the faces pass that workers are safe to use.
"""

import multiprocessing
import os
import sys

FREEZE_SUPPORT_ENV = "PHOTOSEARCH_FREEZE_SUPPORT"  # photosearch.core.people.faces_pass


def run() -> int:
    multiprocessing.freeze_support()  # in a worker process this never returns
    os.environ[FREEZE_SUPPORT_ENV] = "1"
    from photosearch.cli import main

    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(run())
