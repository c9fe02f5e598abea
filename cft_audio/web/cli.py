"""`cft-audio serve`: start the local web app (loopback by default; a token for the LAN)."""

from __future__ import annotations

from pathlib import Path

import click

from .settings import DEFAULT_HOST, DEFAULT_PORT


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but loopback (e.g. 0.0.0.0 for phones on "
                   "your network) needs --token.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on.")
@click.option("--token", default=None, metavar="TOKEN",
              help="Access token every request must carry; 'auto' makes one and prints it.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("output"),
              show_default=True, help="Folder renders are written to and listed from.")
def serve(host: str, port: int, token: str | None, output: Path) -> None:
    """Start the web app for therapists (forms, previews, library) and the client page."""
    from .security import UnsafeBinding, access_token

    try:
        token = access_token(host, token)
    except UnsafeBinding as error:
        raise click.UsageError(str(error)) from error
    from ..export.encode import check_output_folder
    from .app import create_app
    from .settings import Settings
    from .state import lan_address

    check_output_folder(output)  # not once per job, after the server has started
    settings = Settings(output=output, host=host, port=port, token=token)
    app = create_app(settings)
    shown = lan_address() if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    click.echo(f"cft-audio: serving {output}/ at http://{shown}:{port}/  (Ctrl+C to stop)")
    if token:
        click.echo(f"cft-audio: access token: {token}")
        click.echo("cft-audio: enter it on the sign-in page the address shows; anyone with it "
                   "can use the app, so share it with no one.")
    run_server(app, host, port)


STOP_SECONDS = 1
"""After Ctrl-C, open connections get this long before the app stops its jobs and exits."""


def run_server(app: object, host: str, port: int) -> None:
    """Serve `app` until Ctrl-C; then cancel every job (no uploads or partial files left)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=STOP_SECONDS)
