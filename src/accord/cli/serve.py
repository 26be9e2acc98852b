"""accord serve: the explorer, a local web app over the store."""

from __future__ import annotations

import typer

from accord.cli._console import console, err_console, escape, state


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (this machine only)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    review: bool = typer.Option(
        False,
        "--review",
        help="Let people confirm, reject or add labels (opens the store for writing).",
    ),
) -> None:
    """Explore the coded corpus in the browser: ranking, domains, institutions, documents,
    passages, search with facets, crosswalks; with --review, check and correct the coding.

    Example:
        accord --store demo-output/accord.db serve --review
    """
    import uvicorn

    from accord.web.app import create_app

    path = state(ctx).store
    if host not in {"127.0.0.1", "localhost", "::1"}:
        err_console.print(
            f"[bold yellow]Warning:[/] listening on {escape(host)}: the explorer has no "
            "authentication, so anyone who can reach this address can read the store"
            + (" and write reviews." if review else ".")
        )
    app = create_app(path, review=review, host=host)
    mode = "review mode (writes reviews to the store)" if review else "read-only"
    console.print(
        f"Accord explorer on http://{escape(host)}:{port}/ — {escape(str(path))}, {mode}."
    )
    console.print("Press Ctrl+C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)
