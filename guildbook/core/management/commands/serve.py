"""`guildbook serve --bind HOST:PORT --workers N [--threads T]`: the production web server.

gunicorn runs the app, and WhiteNoise (a middleware) serves the static files, so one
process tree is the whole web tier. Static files are collected first, because with DEBUG
off WhiteNoise serves only what `collectstatic` wrote (hashed names, compressed copies)
and reads that list once, when each worker starts.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.servers.basehttp import get_internal_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication

from guildbook.core.management.base import GuildbookCommand

STAMP_NAME = ".guildbook-collected"


def _collect_static() -> None:
    """Run collectstatic unless the static files have not changed since it last ran.

    Compressing every file takes several seconds, and a restart should not wait for it.
    The stamp is a hash of each source file's path, size and modification time.
    """
    stamp = Path(settings.STATIC_ROOT) / STAMP_NAME
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


def _static_fingerprint() -> str:
    entries = [settings.STORAGES["staticfiles"]["BACKEND"]]
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            st = os.stat(storage.path(path))
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


class GuildbookServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return get_internal_wsgi_application()


class Command(GuildbookCommand):
    help = (
        "Serve Guildbook with gunicorn, static files included. Run `guildbook migrate` first; "
        "put a TLS-terminating proxy in front that sets X-Forwarded-Proto."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="HOST:PORT (or unix:PATH) to listen on."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="Worker processes (default: $WEB_CONCURRENCY or 2).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="Threads per worker; more than 1 uses gunicorn's threaded worker.",
        )
        parser.add_argument(
            "--timeout", type=int, default=30, help="Seconds before a stuck worker is restarted."
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every request on standard output."
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_false",
            dest="collectstatic",
            help="Do not collect static files first (they were collected at deploy time).",
        )

    def handle(self, *args, **options):
        if options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        if options["collectstatic"]:
            _collect_static()
        # Workers are forked from this process: none may inherit a database connection.
        connections.close_all()
        GuildbookServer(
            {
                "bind": [options["bind"]],
                "workers": options["workers"],
                "threads": options["threads"],
                "timeout": options["timeout"],
                "graceful_timeout": min(options["timeout"], 30),
                # Load the app once in the parent: a broken deployment fails at once with
                # its error, instead of workers failing to boot one after another.
                "preload_app": True,
                "proc_name": "guildbook",
                "accesslog": "-" if options["access_log"] else None,
                "errorlog": "-",
                # gunicorn believes X-Forwarded-Proto from these only; Django's own check is
                # guildbook.core.proxies. The same list for both.
                "forwarded_allow_ips": ",".join(settings.TRUSTED_PROXIES),
            }
        ).run()
