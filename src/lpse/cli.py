"""What ``lpse --help`` and ``lpse <command> --help`` print (issue 21: help changes nothing).

The friendly commands (``demo``, ``serve``, ``worker``, ``beat``) are parsed here *before* Django
is set up, so ``--help`` prints and exits without creating a database, migrating or starting a
server. ``lpse --help`` lists every command with one line each: the friendly ones, then LPSE's
management commands, then Django's and its add-ons' (their one-line help read from each command).
"""

from __future__ import annotations

import argparse
import os
import textwrap

# The commands ``lpse.__main__`` runs itself, each with the line ``lpse --help`` shows.
FRIENDLY = {
    "demo": "create or migrate the embedded database, load demo data, serve on LPSE_BIND",
    "serve": "migrate, then the production server (gunicorn) with this node's scheduler",
    "worker": "a Celery worker for background jobs (production, with CELERY_BROKER_URL)",
    "beat": "the Celery scheduler: the one process that starts installation jobs",
}


def _server_parser(name: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"lpse {name}", description=description)
    parser.add_argument(
        "--bind",
        help="address:port to listen on (default: $LPSE_BIND or 127.0.0.1:8000; keep it on "
        "loopback behind the reverse proxy)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="server worker processes (default: $LPSE_WORKERS, else "
        + ("2" if name == "demo" else "2 × CPU cores + 1")
        + ")",
    )
    return parser


def parse_server_options(name: str, argv: list[str]) -> None:
    """Parse ``lpse demo``/``lpse serve`` options: ``--help`` prints and exits before anything is
    touched; ``--bind``/``--workers`` become LPSE_BIND/LPSE_WORKERS, which the server reads."""
    description = {
        "demo": "Start LPSE with demo data on the embedded database (SQLite in LPSE_DATA_DIR): "
        "migrate, load one account per role, serve with the embedded scheduler.",
        "serve": "Start LPSE for production: apply migrations, record the browser scripts' "
        "hashes, serve with gunicorn and run this node's periodic jobs (every job too when "
        "there is no broker). Configuration comes from LPSE_* environment variables (README).",
    }[name]
    options = _server_parser(name, description).parse_args(argv)
    if options.bind:
        os.environ["LPSE_BIND"] = options.bind
    if options.workers is not None:
        if options.workers < 1:
            raise SystemExit(f"lpse {name}: --workers must be 1 or more")
        os.environ["LPSE_WORKERS"] = str(options.workers)


def _first_line(text: str) -> str:
    line = " ".join(str(text or "").split())
    return textwrap.shorten(line, width=100, placeholder="…") if line else ""


def overview() -> str:
    """Every command with one line each, grouped; needs Django set up (it reads the commands)."""
    from django.core.management import get_commands, load_command_class

    width = 26
    lines = [
        "usage: lpse <command> [options]",
        "       lpse <command> --help   (one command's options; changes nothing)",
        "",
        "Running the service:",
    ]
    lines += [f"  {name:<{width}}{text}" for name, text in FRIENDLY.items()]
    ours: list[str] = []
    others: list[str] = []
    for name, app in sorted(get_commands().items()):
        try:
            summary = _first_line(load_command_class(app, name).help)
        except Exception as exc:
            summary = f"(cannot be loaded: {exc.__class__.__name__})"
        row = f"  {name:<{width}}{summary}"
        (ours if app.startswith("lpse.") else others).append(row)
    lines += ["", "LPSE's commands:", *ours, "", "Django's and its add-ons' commands:", *others]
    return "\n".join(lines) + "\n"
