"""A render budget for sandboxed templates: output size, loop iterations and calls, wall time.

Whatever a template does, its render stops with a `TemplateLimit` (a ScriptError naming
the limit) once it has made MAX_TEMPLATE_STEPS loop iterations and calls, spent
MAX_TEMPLATE_SECONDS, or would make a text or list longer than MAX_TEMPLATE_OUTPUT.
Every `for` loop and `~` join is rewritten at compile time to pass through the budget;
calls, filters and the operators that multiply sizes (`*`, `**`, `+`, `%`) are checked
before they run, so no single step can allocate far past the limit.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from ..errors import ScriptError
from ..limits import (
    MAX_TEMPLATE_BYTES,
    MAX_TEMPLATE_OUTPUT,
    MAX_TEMPLATE_SECONDS,
    MAX_TEMPLATE_STEPS,
)

_MAX_NUMBER_BITS = 4096
"""Largest whole number a template may make (about 1,200 digits): no time-eating arithmetic."""
_WIDTH = re.compile(r"\d{7,}")
"""A field width of a million or more in a format string."""
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_LOOP_FILTER = "cft_loop"
_JOIN_FILTER = "cft_join"


class TemplateLimit(ScriptError):
    """A template render went over one of the template limits (named in the message)."""

    def __init__(self, what: str, limit: str, value: float):
        self.limit = limit
        super().__init__(f"{what} (over the limit {limit} = {value:,g})")


@dataclass
class Budget:
    """What one render has spent so far."""

    deadline: float
    steps: int = 0
    written: int = field(default=0)

    def step(self) -> None:
        """Count a loop iteration or call; stop when over the step or time limit."""
        self.steps += 1
        if self.steps > MAX_TEMPLATE_STEPS:
            raise TemplateLimit("too many loop iterations and calls", "MAX_TEMPLATE_STEPS",
                                MAX_TEMPLATE_STEPS)
        if time.monotonic() > self.deadline:
            raise TemplateLimit("the template took too long", "MAX_TEMPLATE_SECONDS",
                                MAX_TEMPLATE_SECONDS)

    def write(self, chunk: str) -> str:
        """Count output; stop when the whole text would be over the output limit."""
        self.written += len(chunk)
        check_size(self.written)
        self.step()
        return chunk


_CURRENT: ContextVar[Budget | None] = ContextVar("cft_template_budget", default=None)


@contextlib.contextmanager
def budget() -> Iterator[Budget]:
    """Spend a fresh budget on the template work done inside this block."""
    spent = Budget(deadline=time.monotonic() + MAX_TEMPLATE_SECONDS)
    token = _CURRENT.set(spent)
    try:
        yield spent
    finally:
        _CURRENT.reset(token)


def _step() -> None:
    spent = _CURRENT.get()
    if spent is not None:
        spent.step()


def check_size(size: int) -> None:
    """Refuse a text or list longer than MAX_TEMPLATE_OUTPUT."""
    if size > MAX_TEMPLATE_OUTPUT:
        raise TemplateLimit("the template would make too much text", "MAX_TEMPLATE_OUTPUT",
                            MAX_TEMPLATE_OUTPUT)


def _check_number(value: int) -> None:
    if value.bit_length() > _MAX_NUMBER_BITS:
        raise TemplateLimit("a number in the template is too large", "MAX_TEMPLATE_OUTPUT",
                            MAX_TEMPLATE_OUTPUT)


def _check_result(value: Any) -> Any:
    if isinstance(value, _SIZED):
        check_size(len(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        _check_number(value)
    return value


def _text_size(value: Any) -> int:
    """About how long `value` is as text (strings inside lists counted); stops past the limit."""
    size, stack = 0, [value]
    while stack and size <= MAX_TEMPLATE_OUTPUT:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            size += len(item)
        elif isinstance(item, dict):
            size += 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            size += 2 * len(item)
            stack.extend(item)
        else:
            size += 1
    return size


def finalize(value: Any) -> Any:
    """Check what `{{ … }}` is about to write before it is turned into text."""
    if isinstance(value, _SIZED):
        check_size(_text_size(value))
    return value


def _check_arguments(args: Iterable[Any]) -> None:
    """No argument may hold or ask for more than the output limit (texts, widths, counts)."""
    for value in args:
        if isinstance(value, int) and not isinstance(value, bool) \
                and abs(value) > MAX_TEMPLATE_OUTPUT:
            check_size(abs(value))
        elif isinstance(value, _SIZED):
            check_size(_text_size(value))
        if isinstance(value, str) and ("%" in value or "{" in value):
            width = _WIDTH.search(value)
            if width:
                check_size(int(width.group(0)))


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        check_size(len(text) + (len(text) // max(1, len(old)) + 1) * (len(new) - len(old)))


def _length(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _product_size(left: Any, right: Any) -> int | None:
    """Length of `left * right` for a sequence and a count, before it is made."""
    for items, count in ((left, right), (right, left)):
        if isinstance(items, _SIZED) and isinstance(count, int):
            return len(items) * max(0, count)
    return None


class BudgetedEnvironment(SandboxedEnvironment):
    """The jinja2 sandbox with a render budget on every loop, call and sized operation."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any):
        super().__init__(finalize=finalize, **options)
        self.globals.pop("lipsum", None)  # makes any amount of text from one small call
        self.filters = {name: _budgeted_filter(name, f) for name, f in self.filters.items()}
        self.filters[_LOOP_FILTER] = _loop
        self.filters[_JOIN_FILTER] = _join

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        if len(source) > MAX_TEMPLATE_BYTES:
            raise TemplateLimit("the template file is too long", "MAX_TEMPLATE_BYTES",
                                MAX_TEMPLATE_BYTES)
        return _Rewrite().visit(super()._parse(source, name, filename))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Check the size of `*`, `**`, `+` and `%` before working them out."""
        _step()
        if operator == "*":
            size = _product_size(left, right)
            if size is not None:
                check_size(size)
            elif isinstance(left, int) and isinstance(right, int):
                _check_number(1 << (left.bit_length() + right.bit_length()))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1:
                _check_number(1 << min(right * left.bit_length(), _MAX_NUMBER_BITS + 1))
        elif operator == "+":
            check_size(_length(left) + _length(right))
        elif operator == "%" and isinstance(left, str):
            _check_arguments([left])
        return _check_result(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Refuse `"{:999999999}".format` (a huge field width) when it is looked up."""
        if getattr(value, "__name__", "") in ("format", "format_map"):
            receiver = getattr(value, "__self__", None)
            if isinstance(receiver, str):
                _check_arguments([receiver])
        return super().wrap_str_format(value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Count the call, check its arguments, and the size of what it made or grew."""
        _step()
        receiver = getattr(__obj, "__self__", None)
        method = getattr(__obj, "__name__", "") if isinstance(receiver, str) else ""
        _check_arguments([*args, *kwargs.values(), receiver if method == "join" else None])
        if method == "replace" and len(args) >= 2:
            _check_replace(receiver, args[0], args[1])
        result = _check_result(super().call(__context, __obj, *args, **kwargs))
        if isinstance(receiver, _SIZED):
            check_size(len(receiver))  # list.extend, dict.update… grow their receiver
        return result


def _budgeted_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter whose arguments and result are checked against the budget."""

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _step()
        _check_arguments([*args, *kwargs.values()])
        values = [a for a in args if isinstance(a, str)]
        if name == "replace" and len(values) >= 3:
            _check_replace(*values[-3:])
        return _check_result(function(*args, **kwargs))

    return checked


def _loop(iterable: Iterable[Any]) -> Iterator[Any]:
    """Pass a `for` loop's items through, counting each against the budget."""
    for item in iterable:
        _step()
        yield item


def _join(parts: list[Any]) -> str:
    """The `~` operator: its parts as one text, refused if too long."""
    texts = [str(part) for part in parts]
    check_size(sum(len(text) for text in texts))
    return "".join(texts)


class _Rewrite(NodeTransformer):
    """Send every `for` loop's items and every `~` join through the budget filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 - jinja2 visitor name
        node = self.generic_visit(node)
        node.iter = _filtered(node.iter, _LOOP_FILTER)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802
        node = self.generic_visit(node)
        return _filtered(nodes.List(node.nodes, lineno=node.lineno), _JOIN_FILTER)


def _filtered(value: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(value, name, [], [], None, None, lineno=value.lineno)
