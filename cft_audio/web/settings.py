"""How the web app is set up: output folder, address, access token and render context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ..pipeline import RenderContext

DEFAULT_HOST = "127.0.0.1"
"""Loopback only, unless the therapist asks for the LAN on purpose."""
DEFAULT_PORT = 8750
"""The port `cft-audio serve` listens on by default."""


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; the CLI builds it from its options."""

    output: Path = Path("output")
    """Where renders are written and the library is read from."""
    host: str = DEFAULT_HOST
    """The address the server is bound to (decides whether the client QR code is shown)."""
    port: int = DEFAULT_PORT
    """The port the server listens on (for the client link)."""
    token: str | None = None
    """Access token every request must carry; None on loopback without --token."""
    context: RenderContext | None = None
    """Render context for the workers and previews (None: the default, real voices)."""
    workers: int = 2
    """Renders that run at once, each with its own long-lived Renderer."""
    queue_limit: int = 8
    """Jobs that may wait or run at once; more are refused with a clear message."""
    batch_context: Callable[[], RenderContext] | None = None
    """Builds a batch worker's context (module-level, picklable); None: the batch default."""
    public_url: str | None = None
    """Base URL phones use to reach the app; None works it out from host and port."""
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)
    """Further Host header values accepted on loopback (besides 127.0.0.1 and localhost)."""
    sleep: Callable[[float], Awaitable[None]] | None = None
    """How a wrong token's answer waits (None: `asyncio.sleep`; tests count the seconds)."""
    clock: Callable[[], float] | None = None
    """Seconds for sign-in lifetimes and token waits (None: `time.monotonic`)."""
