"""The CLI parses a command with only that command's module: the table that says which
module registers which command must match what the modules register, and parsing with the
one module must give what parsing with all of them gives."""

from __future__ import annotations

import argparse
import importlib

import pytest

from photosearch import cli


def test_the_command_table_matches_what_each_module_registers():
    registered: dict[str, str] = {}
    for name in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(name).register(sub)
        for command in sub.choices:
            registered[command] = name
    assert registered == cli.COMMAND_OF


@pytest.mark.parametrize("argv, module", [
    (["search", "a dog"], "photosearch.cli.search_cmds"),
    (["--library", "search", "similar", "x.jpg"], "photosearch.cli.search_cmds"),
    (["--model", "m", "--pretrained", "none", "--device", "cpu", "-v", "index", "/p"],
     "photosearch.cli.library_cmds"),
    (["--library=/l", "labels", "list"], "photosearch.cli.labels_cmds"),
    (["models"], "photosearch.cli.validate"),
    ([], None), (["--help"], None), (["-v"], None), (["serach", "a dog"], None),
    (["--", "search"], None), (["-h", "search"], None),
])
def test_the_command_is_found_after_the_global_options(argv, module):
    assert cli.command_module(argv) == module


@pytest.mark.parametrize("argv", [
    ["--library", "/l", "search", "a dog", "--limit", "3", "--tag", "x"],
    ["search", "--json", "--", "-people"],
    ["--model", "m", "similar", "x.jpg", "--offset", "2"],
    ["-v", "index", "/p"],
    ["labels", "add", "dogs", "--prompt", "a dog"],
    ["dupes"],
    ["check"],
])
def test_parsing_with_one_module_equals_parsing_with_all(argv):
    def parsed(parser: argparse.ArgumentParser) -> dict:
        args, extra = cli._parse_args(parser, list(argv))
        return {k: v for k, v in vars(args).items() if not callable(v)
                and not isinstance(v, argparse.ArgumentParser)} | {"extra": extra}

    assert parsed(cli.build_parser(argv)) == parsed(cli.build_parser())


def test_a_misspelt_command_still_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["serach", "a dog"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'serach'" in err and "similar" in err and "dupes" in err
