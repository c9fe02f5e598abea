"""The app's shared state: what every handler needs, and the address phones use."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.templating import Jinja2Templates

from .jobs import JobQueue
from .library import Shares
from .previews import Previewer
from .security import is_loopback
from .settings import Settings


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
        """One batch run's tasks on the app's renderer pool (shared with its renders)."""
        from ..batch.executors import PoolExecutor
        from ..batch.worker import default_context

        return PoolExecutor(self.jobs.pool, self.settings.batch_context or default_context)

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
