"""The app factory: routes, templates, static files, middleware and shared state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..clock import clock
from ..files import private_folder
from . import api, batches, client, pages, practice, signin, uploads
from .bodies import BodyLimit
from .csrf import CsrfGuard, Sessions
from .held import HeldFiles
from .jobs import JobQueue
from .library import Shares
from .login import LOGIN_PATH, MAX_FORM
from .previews import Previewer
from .security import LOOPBACK_NAMES, HostGuard, SecurityHeaders, TokenGate
from .settings import Settings
from .state import WebState

HERE = Path(__file__).resolve().parent
BODY_LIMITS = {"/new/": uploads.FORM_BYTES, "/batch": batches.BODY_BYTES, LOGIN_PATH: MAX_FORM,
               "/practice": practice.BODY_BYTES,
               "/api/preview/background": uploads.PREVIEW_BACKGROUND_BYTES}
"""Largest request body of each route (by path prefix); any other route takes up to 1 MB.

The token is checked first (nothing is read without it), then the body is counted as it
streams in, then the CSRF check reads what it needs of it."""


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the web app for `settings` (renders go under `settings.output`)."""
    settings = settings or Settings()
    output = Path(settings.output).expanduser()
    private_folder(output)  # owner-only when the app makes it
    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True))
    environment.filters["urlpath"] = lambda path: quote(str(path), safe="/")
    environment.filters["count"] = pages.counted
    environment.filters["clock"] = clock
    state = WebState(settings=settings, output=output,
                     jobs=JobQueue(settings.context, settings.workers, settings.queue_limit),
                     previewer=Previewer(settings.context), shares=Shares(output),
                     templates=Jinja2Templates(env=environment))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()
        app.state.held.close()

    hosts = None if settings.token else (*LOOPBACK_NAMES, settings.host, *settings.extra_hosts)
    app = Starlette(
        exception_handlers={HTTPException: pages.not_found},
        routes=[*pages.routes(), *batches.routes(), *api.routes(), *client.routes(),
                *signin.routes(), *practice.routes(),
                Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=[Middleware(SecurityHeaders), Middleware(HostGuard, hosts=hosts),
                    Middleware(Sessions), Middleware(TokenGate, token=settings.token),
                    Middleware(BodyLimit, limits=BODY_LIMITS), Middleware(CsrfGuard)],
        lifespan=lifespan,
    )
    app.state.web = state
    app.state.held = HeldFiles(output)
    return app

