"""The app factory: routes, templates, static files, middleware and shared state."""

from __future__ import annotations

import asyncio
import contextlib
import time
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
from .gate import Access, TokenGate
from .held import HeldFiles
from .jobs import JobQueue
from .library import Shares
from .login import LOGIN_PATH, MAX_FORM, SignInPage
from .previews import Previewer
from .refusals import Refusals, way_back
from .security import LOOPBACK_NAMES, HostGuard, SecurityHeaders, is_loopback
from .session import SignIns
from .settings import Settings
from .state import WebState
from .throttle import Throttle

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
    environment.globals.update(way_back=way_back, signs_in=settings.token is not None)
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
    refusals, access = Refusals(environment), _access(settings, environment)
    app = Starlette(
        exception_handlers={HTTPException: refusals.handler},
        routes=[*pages.routes(), *batches.routes(), *api.routes(), *client.routes(),
                *signin.routes(), *practice.routes(),
                Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=[Middleware(SecurityHeaders),
                    Middleware(HostGuard, hosts=hosts, refuse=refusals.send),
                    Middleware(Sessions), Middleware(TokenGate, access=access),
                    Middleware(BodyLimit, limits=BODY_LIMITS, refuse=refusals.send),
                    Middleware(CsrfGuard, refuse=refusals.send)],
        lifespan=lifespan,
    )
    app.state.web = state
    app.state.held = HeldFiles(output)
    app.state.access = access
    return app


def _access(settings: Settings, environment: Environment) -> Access:
    """Sign-in state: sessions in memory, wrong tokens throttled, the sign-in page."""
    clock = settings.clock or time.monotonic
    return Access(token=settings.token, signins=SignIns(clock),
                  throttle=Throttle(settings.sleep or asyncio.sleep, clock),
                  page=SignInPage(environment, open_to_network=not is_loopback(settings.host)))

