"""The app factory: routes, templates, static files, middleware and shared state."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import api, batches, client, pages
from .csrf import CsrfGuard
from .jobs import JobQueue
from .library import Shares, private_folder
from .previews import Previewer
from .security import LOOPBACK_NAMES, HostGuard, SecurityHeaders, TokenGate, is_loopback
from .settings import Settings

HERE = Path(__file__).resolve().parent


@dataclass
class WebState:
    """What every handler needs: settings, output folder, job queue, previewer, shares."""

    settings: Settings
    output: Path
    jobs: JobQueue
    previewer: Previewer
    shares: Shares
    templates: Jinja2Templates

    @property
    def on_lan(self) -> bool:
        """Whether phones on the network can reach the app (a non-loopback host)."""
        return not is_loopback(self.settings.host)

    def batch_executor(self) -> Any:
        """A fresh local process pool for one batch run (the batch's own workers)."""
        from ..batch import LocalExecutor

        if self.settings.batch_context is None:
            return LocalExecutor(self.settings.workers)
        return LocalExecutor(self.settings.workers, factory=self.settings.batch_context)

    def base_url(self) -> str:
        """The address phones use: the public URL, the bound host, or this machine's LAN IP."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        host = self.settings.host
        if host in ("0.0.0.0", "::", ""):
            host = lan_address()
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.settings.port}"


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent to find it)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: routing only, nothing is sent
            return probe.getsockname()[0]
    except OSError:
        try:
            return socket.gethostbyname(socket.gethostname())
        except OSError:
            return "127.0.0.1"  # no network at all: phones cannot reach it anyway


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the web app for `settings` (renders go under `settings.output`)."""
    settings = settings or Settings()
    output = Path(settings.output).expanduser()
    private_folder(output)  # owner-only when the app makes it
    environment = Environment(loader=FileSystemLoader(HERE / "templates"),
                              autoescape=select_autoescape(default=True))
    environment.filters["urlpath"] = lambda path: quote(str(path), safe="/")
    environment.filters["count"] = pages.counted
    state = WebState(settings=settings, output=output,
                     jobs=JobQueue(settings.context, settings.workers, settings.queue_limit),
                     previewer=Previewer(settings.context), shares=Shares(output),
                     templates=Jinja2Templates(env=environment))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()

    hosts = None if settings.token else (*LOOPBACK_NAMES, settings.host, *settings.extra_hosts)
    app = Starlette(
        exception_handlers={HTTPException: pages.not_found},
        routes=[*pages.routes(), *batches.routes(), *api.routes(), *client.routes(),
                Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=[Middleware(SecurityHeaders), Middleware(HostGuard, hosts=hosts),
                    Middleware(CsrfGuard), Middleware(TokenGate, token=settings.token)],
        lifespan=lifespan,
    )
    app.state.web = state
    return app

