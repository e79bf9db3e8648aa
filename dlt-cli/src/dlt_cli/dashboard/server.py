"""Serving the dashboard with uvicorn on 127.0.0.1 until Ctrl-C (SIGINT) or SIGTERM."""

from __future__ import annotations

import signal
import socket
import webbrowser
from typing import Any

import typer

from dlt_cli.errors import CliError
from dlt_cli.output import note

HOST = "127.0.0.1"



def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port); a clear error when it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise CliError(f"Cannot serve the dashboard on {HOST}:{port}: {exc.strerror or exc}."
                       " Pass another --port (0 picks a free one).") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(app: Any, port: int, *, title: str, open_browser: bool) -> None:
    """Serve `app` on 127.0.0.1:`port`, print its URL, open a browser unless told not to, and
    return when Ctrl-C (or SIGTERM) stops the server."""
    import uvicorn

    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            server_header=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    # uvicorn stops gracefully on SIGINT and SIGTERM, then re-raises the signal with the handler
    # that was there before: SIGINT raises KeyboardInterrupt. SIGTERM asks the server to stop,
    # from the moment the URL is printed (a client may act on it at once): one that arrives
    # before uvicorn listens for signals makes it stop as soon as it has started (raising an
    # exception there, in the middle of uvicorn's start-up, could leave it hanging).
    def stop(signum: int, frame: Any) -> None:
        server.should_exit = True

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        typer.echo(f"{title}: {url}")
        note("Press Ctrl-C to stop.")
        if open_browser and not webbrowser.open(url):
            note(f"No browser could be opened here; open {url} yourself.")
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    note("Dashboard stopped.")

