"""The `photosearch` command line: the same engine as the app, for terminals and scripts.

Exit codes: 0 ok, 2 usage error, 1 failure (one-line reason on stderr; --verbose for the
traceback). Each command group lives in its own module and registers itself here.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .. import __version__

# Command groups, in help order. Each module has register(subparsers).
COMMAND_MODULES = [
    "photosearch.cli.library_cmds",
    "photosearch.cli.search_cmds",
    "photosearch.cli.watch_cmds",
    "photosearch.cli.labels_cmds",
    "photosearch.cli.eval_cmds",
    "photosearch.cli.dupes_cmds",
    "photosearch.cli.people_cmds",
    "photosearch.cli.safety_cmds",
    "photosearch.cli.validate",
    "photosearch.cli.text_cmds",
]

# Which module registers each command, so a run parses with just that module's parser:
# importing and building all of them costs ~0.07 s of a 0.5 s cold search (2-core box,
# quiet; more under load). tests/unit/test_cli_lazy.py checks this table against what the
# modules register.
COMMAND_OF = {
    **dict.fromkeys(["folders", "index", "status", "problems"], "photosearch.cli.library_cmds"),
    **dict.fromkeys(["search", "similar"], "photosearch.cli.search_cmds"),
    **dict.fromkeys(["purge", "exclude"], "photosearch.cli.watch_cmds"),
    **dict.fromkeys(["labels", "tags", "review", "export-xmp"], "photosearch.cli.labels_cmds"),
    "eval": "photosearch.cli.eval_cmds",
    "dupes": "photosearch.cli.dupes_cmds",
    "people": "photosearch.cli.people_cmds",
    **dict.fromkeys(["check", "restore-backup"], "photosearch.cli.safety_cmds"),
    "models": "photosearch.cli.validate",
    "text": "photosearch.cli.text_cmds",
}
# Global options that take a value as the next argument (`--library DIR`).
_VALUE_OPTIONS = {"--library", "--model", "--pretrained", "--device"}

log = logging.getLogger("photosearch.cli")
_opened: list = []  # libraries open_library handed out during this command


class CliError(Exception):
    """A failure to report as one line and exit 1."""


class UsageError(CliError):
    """A bad value on the command line: one line naming it and what is allowed; exit 2."""


_current_library: list[str | None] = [None]  # the --library of this run, for messages


def _catalog_path():
    from ..core.paths import resolve_library

    return resolve_library(_current_library[0]).catalog


def command_module(argv: list[str]) -> str | None:
    """The module of the command `argv` names, or None (no command, --help before it, an
    unknown or misspelt command: then every module is needed, for the full help/error)."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or arg in ("-h", "--help"):
            return None
        if arg.startswith("-"):
            i += 2 if arg in _VALUE_OPTIONS else 1
            continue
        return COMMAND_OF.get(arg)
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the named command's module is imported and registered
    (the others' commands are then unknown to it: use it only to parse that argv)."""
    p = argparse.ArgumentParser(
        prog="photosearch",
        description="Local, private photo search, tagging and duplicate cleanup. "
                    "With no command, starts the desktop app.")
    p.add_argument("--version", action="version", version=f"photosearch {__version__}")
    p.add_argument("--library", metavar="DIR",
                   help="library directory (default: platform data dir, or $PHOTOSEARCH_LIBRARY)")
    p.add_argument("--model", help="open_clip model name (default ViT-B-32; test-tiny for tests)")
    p.add_argument("--pretrained", metavar="P",
                   help="pretrained tag, a local weights file, or 'none' (random: tests only)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument("--verbose", "-v", action="store_true", help="more logging, tracebacks")
    p.add_argument("--smoke-test", action="store_true",
                   help="open the app window, index and search a few generated images with "
                        "the test model in a temporary library, exit 0 if all works")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    only = command_module(argv) if argv is not None else None
    for name in [only] if only else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args, extra = _parse_args(parser, argv)
    if extra and not getattr(args, "accepts_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    from ..core import logs

    logs.setup(args.verbose)
    _current_library[0] = args.library
    from .validate import check_global_options

    try:
        check_global_options(args)
    except UsageError as exc:
        print(f"photosearch: error: {exc}", file=sys.stderr)
        return 2
    if args.command is None:
        return _start_app(args)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("photosearch: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into exit 1
        return _fail(exc, args.verbose)
    finally:
        _close_opened()


def _close_opened() -> None:
    """Close every library the command opened (index saved, connections closed, so the
    catalog's write-ahead log is folded back now, not whenever the garbage collector gets
    to the connection objects)."""
    while _opened:
        lib = _opened.pop()
        try:
            lib.close()
        except Exception:  # noqa: BLE001 - the command's own result stands
            log.warning("closing the library failed", exc_info=True)


def _parse_args(parser: argparse.ArgumentParser, argv: list[str]):
    """POSIX `--` for commands that take free text (search): options before it are parsed,
    everything after it is query text, never an option. Other commands: argparse as is."""
    if "--" in argv:
        cut = argv.index("--")
        args, extra = parser.parse_known_args(argv[:cut])
        if getattr(args, "accepts_extra", False):
            args.after_dashes = argv[cut + 1:]
            return args, extra
    args, extra = parser.parse_known_args(argv)
    args.after_dashes = []
    return args, extra


def _fail(exc: Exception, verbose: bool) -> int:
    from ..core import catalog_safety
    from ..core.config import ConfigError
    from ..core.library import CatalogError, is_busy_error
    from ..core.library_ops import LibraryOpError
    from ..core.query import QueryError
    from ..core.weights import WeightsUnavailable

    expected: tuple[type[BaseException], ...] = (
        CliError, CatalogError, ConfigError, LibraryOpError, QueryError, WeightsUnavailable,
        OSError, catalog_safety.CatalogDamaged)
    embedder = sys.modules.get("photosearch.core.embedder")  # loaded only with torch
    if embedder is not None:
        expected += (embedder.DeviceUnavailable,)
    if verbose:
        log.exception("command failed")
    if isinstance(exc, UsageError):
        print(f"photosearch: error: {exc}", file=sys.stderr)
        return 2
    if catalog_safety.is_damage(exc):  # damage found while working, not at open
        print("photosearch: error: " + catalog_safety.damaged_message(
            _catalog_path(), f"is damaged ({exc})"), file=sys.stderr)
    elif is_busy_error(exc):
        print("photosearch: error: the library is busy (another photosearch process is "
              "writing to it); try again in a moment", file=sys.stderr)
    elif isinstance(exc, expected):
        print(f"photosearch: error: {exc}", file=sys.stderr)
    else:
        print(f"photosearch: error: unexpected {type(exc).__name__}: {exc} "
              "(run with --verbose for details, and please report it)", file=sys.stderr)
    return 1


def _start_app(args) -> int:
    try:
        from ..ui.app import run_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("PySide6", "shiboken6"):
            raise  # our own import bug: report it as one, not as "not available"
        print(f"photosearch: the desktop app needs Qt (PySide6), which is not installed "
              f"({exc}); install it with 'pip install PySide6-Essentials', or see "
              "'photosearch --help' for commands", file=sys.stderr)
        return 1
    return run_app(args)


def open_library(args):
    """The library the global options point at, with per-run model overrides."""
    from ..core.library import Library
    from ..core.paths import resolve_library

    lib = Library.open(resolve_library(args.library), model=args.model,
                       pretrained=args.pretrained, device=args.device)
    _opened.append(lib)  # closed by main when the command returns
    return lib
