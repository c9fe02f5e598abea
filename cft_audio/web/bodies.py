"""Request bodies bounded while they stream (chunked ones too): over a limit, 413, never cut short.

`BodyLimit` counts the bytes of every request body as the app reads them, against a limit
for its route; past it the app stops reading at once, nothing it started is kept, and the
client gets one clear 413 page. A client that goes away mid-upload is logged in one line
(no traceback). `read_form` parses a form with Starlette's parser, refusing each uploaded
file as soon as it passes its own field's limit (not after the whole form has arrived).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import aclosing

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect
from starlette.requests import Request as HttpRequest

from .security import ASGIApp, Receive, Refuse, Scope, Send, plain_refusal, request_headers

KB = 1024
MB = 1024 * KB
FIELD_BYTES = 1 * MB
"""Largest form field that is not a file (Starlette's own default)."""
DEFAULT_BYTES = 1 * MB
"""Largest body of a route not given its own limit (forms without files, previews)."""
log = logging.getLogger(__name__)

class BodyTooLarge(Exception):
    """A request body went past its route's limit while it streamed in."""


class PartTooLarge(MultiPartException):
    """An uploaded file went past its field's limit (or came in a field that takes none)."""

    def __init__(self, field: str, limit: int):
        self.field = field
        self.limit = limit
        super().__init__(f"{field}: over {size_text(limit)}" if limit else
                         f"{field}: the form takes no file here")


def size_text(count: int) -> str:
    """50 MB, 200 kB."""
    return f"{count // MB} MB" if count >= MB else f"{count // 1000} kB"


class BodyLimit:
    """ASGI middleware: each route's request bodies are cut off at its limit, with a 413 page."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int], default: int = DEFAULT_BYTES,
                 refuse: Refuse | None = None):
        self.app = app
        self.limits = dict(limits)
        self.default = default
        self.refuse = refuse or plain_refusal

    def limit_for(self, path: str) -> int:
        """The limit of a path: its route's (by path prefix), else the default."""
        return next((n for prefix, n in self.limits.items() if path.startswith(prefix)),
                    self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as it is read; refuse it at once past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        message = (f"This request is larger than {size_text(limit)}, the most this page takes. "
                   "Nothing was started and nothing was kept.")
        length = request_headers(scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self.refuse(scope, send, 413, message)
            return
        counted, started = _Counter(receive, limit), [False]

        async def watched(reply: dict) -> None:
            started[0] = started[0] or reply["type"] == "http.response.start"
            await send(reply)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            log.warning("refused %s %s: body over %s", scope.get("method"), scope.get("path"),
                        size_text(limit))
            if not started[0]:
                await self.refuse(scope, send, 413, message)
        except ClientDisconnect:
            log.info("%s %s: the client went away mid-request", scope.get("method"),
                     scope.get("path"))


class _Counter:
    """A `receive` that counts body bytes and raises BodyTooLarge past the limit."""

    def __init__(self, receive: Receive, limit: int):
        self.receive = receive
        self.limit = limit
        self.seen = 0
        self.over = False

    async def __call__(self) -> dict:
        if self.over:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.over = True
                raise BodyTooLarge(self.limit)
        return message


class _BoundedParser(MultiPartParser):
    """Starlette's multipart parser, refusing a file as soon as it passes its field's limit."""

    def __init__(self, request: HttpRequest, stream: object, files: Mapping[str, int]):
        super().__init__(request.headers, stream, max_part_size=FIELD_BYTES)  # type: ignore
        self.files = files
        self.file_bytes = 0

    def on_part_begin(self) -> None:
        """A new part: its file (if it is one) starts at 0 bytes."""
        super().on_part_begin()
        self.file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        """Count a file part's bytes against its field's limit (fields: Starlette's own)."""
        part = self._current_part  # the base class's part being read
        if part.file is not None:
            self.file_bytes += end - start
            limit = self.files.get(part.field_name, 0)
            if self.file_bytes > limit:
                raise PartTooLarge(part.field_name, limit)
        super().on_part_data(data, start, end)


async def read_form(request: HttpRequest, files: Mapping[str, tuple[str, int]]) -> FormData:
    """The request's form; each file input named in `files` (label, limit) up to its limit.

    A file over its limit (or in an input that takes none), a field over FIELD_BYTES or a
    malformed body is an HTTPException (413 or 400) with one clear line; the files read so
    far are closed, so nothing is kept.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        return await request.form(max_part_size=FIELD_BYTES)
    limits = {name: limit for name, (_, limit) in files.items()}
    try:
        async with aclosing(request.stream()) as stream:
            return await _BoundedParser(request, stream, limits).parse()
    except PartTooLarge as error:
        label = files[error.field][0] if error.field in files else "This form"
        text = (f"{label}: the file is larger than {size_text(error.limit)}" if error.limit
                else f"{label} takes no file named {error.field[:40]!r}")
        raise HTTPException(413, f"{text}. Nothing was started.") from error
    except MultiPartException as error:
        if "maximum size" in error.message:
            raise HTTPException(413, f"A text field of the form is larger than "
                                f"{size_text(FIELD_BYTES)}. Nothing was started.") from error
        raise HTTPException(400, f"The form could not be read ({error.message}). "
                            "Nothing was started.") from error
