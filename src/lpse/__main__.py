"""The ``lpse`` command line: every Django management command plus friendly ones.

lpse demo            create or migrate the database, load demo data, serve on :8000
lpse serve           production WSGI server (gunicorn) with several workers
lpse worker | beat   Celery worker / scheduler (production, with CELERY_BROKER_URL)
lpse audit verify    walk the audit hash chain
lpse <command>       any management command (migrate, createsuperuser, …)
lpse --help          every command with one line each (lpse/cli.py)
"""

from __future__ import annotations

import os
import subprocess
import sys

from lpse import cli


def _settings_or_exit() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse.settings")
    from lpse.envconf import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        sys.stderr.write(f"lpse: configuration error: {exc}\n")
        raise SystemExit(2) from None


def _metrics_dir() -> None:
    """prometheus-client's multiprocess mode: every worker writes its counters to files in this
    folder and ``/metrics`` sums them. Emptied at each start (the files of dead workers). Set
    before anything imports prometheus-client, which picks its mode when it is imported."""
    import shutil

    from django.conf import settings

    folder = settings.DATA_DIR / "metrics" / settings.LPSE_NODE_NAME
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _serve(bind: str, workers: int, *, embedded_scheduler: bool) -> None:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from lpse.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")
            # gunicorn's control socket defaults to one per user (~/.gunicorn/gunicorn.ctl):
            # two servers of one user (production and the training sandbox, or a test's server)
            # would fight over it. Each data folder gets its own.
            if "control_socket" in self.cfg.settings:
                control = settings.DATA_DIR / "gunicorn.ctl"
                if len(str(control).encode()) < 100:  # the limit of a Unix socket's path
                    self.cfg.set("control_socket", str(control))
                else:
                    self.cfg.set("control_socket_disable", True)

        def load(self):
            return application

    # One scheduler process beside the server, not a thread in it: see run_scheduler. It runs
    # this node's jobs always, and every job when there is no broker (embedded mode).
    command = [sys.executable, "-m", "lpse", "run_scheduler"]
    if not embedded_scheduler:
        command.append("--node-only")
    scheduler = subprocess.Popen(command)  # noqa: S603 - our own interpreter and fixed arguments
    try:
        Server().run()
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=10)


def demo(argv: list[str]) -> None:
    cli.parse_server_options("demo", argv)  # --help exits here, before anything is touched
    os.environ["LPSE_DEMO"] = "1"
    # The demo's uplink check goes to its own address: never an outside one.
    os.environ.setdefault("LPSE_UPLINK_TARGETS", os.environ.get("LPSE_BIND", "127.0.0.1:8000"))
    _settings_or_exit()
    _metrics_dir()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo_data")
    bind = os.environ.get("LPSE_BIND", "127.0.0.1:8000")
    print(
        f"\nLPSE demo: open {settings.LPSE_BASE_URL}/  (accounts and passwords on the home page;"
        f" e-mails at {settings.LPSE_BASE_URL}/outbox/)\n",
        flush=True,
    )
    _serve(bind, int(os.environ.get("LPSE_WORKERS", "2")), embedded_scheduler=True)


def serve(argv: list[str]) -> None:
    cli.parse_server_options("serve", argv)  # --help exits here, before anything is touched
    _settings_or_exit()
    _metrics_dir()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1, check=False)
    from lpse.core import browser_code

    # the scripts that handle keys in browsers are logged by hash whenever they change.
    if browser_code.record_if_changed():
        print("lpse: the browser scripts changed; their SHA-256s are in the audit log", flush=True)
    workers = int(os.environ.get("LPSE_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    _serve(
        os.environ.get("LPSE_BIND", "127.0.0.1:8000"),
        workers,
        embedded_scheduler=settings.LPSE_EMBEDDED_JOBS,
    )


def celery(kind: str, argv: list[str]) -> None:
    _settings_or_exit()
    from lpse.celery import app

    app.start([kind, "--loglevel=INFO", *argv])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "help" or {"--help", "-h"} & set(argv):
        os.environ["LPSE_HELP_ONLY"] = "1"  # settings then write nothing (lpse/settings.py)
    command = argv[0] if argv else "help"
    if command in ("help", "--help", "-h") and len(argv) > 1:
        # "lpse help serve" means "lpse serve --help", for every command
        command, argv = argv[1], [argv[1], "--help"]
    if command in ("help", "--help", "-h"):
        _settings_or_exit()
        sys.stdout.write(cli.overview())
    elif command == "demo":
        demo(argv[1:])
    elif command == "serve":
        serve(argv[1:])
    elif command in ("worker", "beat"):
        celery(command, argv[1:])
    else:
        _settings_or_exit()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["lpse", *argv])


if __name__ == "__main__":
    main()
