"""Each command's typed arguments declare exactly the options its parser gives it."""

from __future__ import annotations

import argparse
from dataclasses import MISSING, dataclass, fields

import pytest

from pos_app.cli.commands import COMMANDS
from pos_app.cli.context import SHARED, Command, arguments
from pos_app.cli.extensions import EXTENSIONS
from pos_app.cli.parser import build_parser


def _commands() -> dict[tuple[str, str | None], Command]:
    found = dict(COMMANDS)
    for extension in EXTENSIONS:
        found.update(extension.HANDLERS)
    return found


def _sub(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def _options(command: str, action: str | None) -> set[str]:
    """The destinations the parser fills for `caretill command [action]`."""
    parser = _sub(build_parser(), command)
    if action is not None:
        parser = _sub(parser, action)
    return {a.dest for a in parser._actions if a.dest not in SHARED and a.dest != "help"} | (
        {"action"} if command == "import" else set()
    )


@pytest.mark.parametrize("name", sorted(_commands(), key=str), ids=str)
def test_each_command_declares_exactly_the_options_its_parser_has(name):
    declared = fields(_commands()[name].args)
    required = {f.name for f in declared if f.default is MISSING}
    # An option with a default (import's --repeat) may be absent from some parsers.
    assert required <= _options(*name) <= {f.name for f in declared}


def test_the_parsed_options_arrive_typed_and_the_shared_ones_stay_out():
    namespace = build_parser().parse_args(
        ["pay", "P1", "--items", "1,2", "--tender", "cash:10", "--user", "ann", "--json"]
    )
    command = _commands()[("pay", None)]
    parsed = arguments(command.args, namespace)
    assert (parsed.mrn, parsed.items, parsed.bill, parsed.tender, parsed.key) == (
        "P1",
        "1,2",
        None,
        ["cash:10"],
        None,
    )
    assert not hasattr(parsed, "user") and not hasattr(parsed, "json")


def test_an_option_the_arguments_do_not_declare_is_a_bug_not_a_silent_loss():
    @dataclass(frozen=True)
    class Narrow:
        mrn: str

    with pytest.raises(TypeError, match="tender"):
        arguments(Narrow, argparse.Namespace(command="pay", mrn="P1", tender=[]))
