"""argparse types for numbers on the command line: ASCII digits in range, else exit 2 with a code.

argparse's own `type=int` takes "٩", "1_000" and " 7 "; these go through the one
number parser instead (`pos_app.domain.numbers`), and its `BadInput` passes
through argparse untouched to the usual error output.
"""

from __future__ import annotations

from collections.abc import Callable

from pos_app.domain.numbers import whole_number


def number(
    what: str, *, maximum: int, minimum: int = 0, code: str = "invalid_number"
) -> Callable[[str], int]:
    """An argparse `type=` for a whole number from `minimum` to `maximum`."""

    def parse(text: str) -> int:
        return whole_number(text, what=what, minimum=minimum, maximum=maximum, code=code)

    parse.__name__ = what  # argparse names the type in its own messages
    return parse
