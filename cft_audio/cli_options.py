"""Command-line conventions every command shares: -q/-v, choices, help that is not cut short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

VERBOSE_HELP = "On failure, add the tool's own words (ffmpeg's) as a second line."


def quiet_verbose(verbose_help: str = VERBOSE_HELP) -> Callable[[Callable], Callable]:
    """-q/--quiet (print nothing but errors) and -v/--verbose, as every command takes them."""
    def attach(function: Callable) -> Callable:
        function = click.option("-v", "--verbose", is_flag=True, help=verbose_help)(function)
        return click.option("-q", "--quiet", is_flag=True,
                            help="Print nothing but errors.")(function)
    return attach


def count(number: int, thing: str) -> str:
    """`1 pack`, `2 packs`: a number and its noun, plural when it is not 1."""
    return f"{number} {thing}" + ("" if number == 1 else "s")


def refuse_quiet_verbose(quiet: bool, verbose: bool) -> None:
    """-q and -v contradict each other."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")


class Choice(click.Choice):
    """A case-insensitive choice shown as [a|b] and completed by the shell; a value outside it
    passes through, so the library refuses it in its own words (one line, allowed values)."""

    def __init__(self, choices: tuple[str, ...]):
        super().__init__(choices, case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        """The choice as declared whatever its case; anything else unchanged."""
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            return value


class Group(click.Group):
    """A group whose command list shows each command's whole first paragraph, wrapped."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their short help, never cut off with "..."."""
        rows = [(name, command.get_short_help_str(limit=10_000))
                for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
