"""``sgsc up``: embedded servers if needed, schemas, demo data, web + worker + beat.

Ctrl-C (SIGINT) or SIGTERM stops the children first, then the embedded servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sgsc.platform.demo import DemoLogin, demo_is_needed, demo_load, demo_logins
from sgsc.tenants.models import Domain

STOP_GRACE_SECONDS = 15


class Command(BaseCommand):
    help = "Bring the whole platform up: database, schemas, demo data, web, worker and beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--bind", default=os.environ.get("SGSC_BIND", "127.0.0.1"))
        parser.add_argument("--no-worker", action="store_true", help="Start no Celery worker.")
        parser.add_argument("--no-beat", action="store_true", help="Start no Celery beat.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("platform_init", verbosity=0)
        logins: list[DemoLogin] = []
        if getattr(settings, "DEMO_DATA_ALLOWED", False):
            if demo_is_needed():
                demo_load(password=settings.DEMO_PASSWORD)
            logins = demo_logins()
        call_command("collectstatic", interactive=False, verbosity=0)
        children = self._start_children(options)
        self._print_banner(options["port"], logins)
        self._supervise(children)

    def _start_children(self, options: dict[str, Any]) -> dict[str, subprocess.Popen[bytes]]:
        python = sys.executable
        # The embedded servers' URLs are in os.environ already; children inherit them.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        commands = {
            "web": [python, "-m", "gunicorn", "sgsc.platform.wsgi:application",
                    "--bind", f"{options['bind']}:{options['port']}", "--workers", "2",
                    "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "10"],
        }
        if not options["no_worker"]:
            commands["worker"] = [python, "-m", "celery", "-A", "sgsc.platform.celery", "worker",
                                  "--loglevel", "INFO", "--concurrency", "2",
                                  "--queues", "default,periodic,audit"]
        if not options["no_beat"]:
            schedule = str(settings.SGSC_HOME / "celerybeat-schedule")
            commands["beat"] = [python, "-m", "celery", "-A", "sgsc.platform.celery", "beat",
                                "--loglevel", "INFO", "--schedule", schedule]
        # Own process groups: a Ctrl-C in the terminal reaches only us, and we stop them in order.
        return {name: subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603
                for name, command in commands.items()}

    def _print_banner(self, port: int, logins: list[DemoLogin]) -> None:
        hosts = Domain.objects.exclude(tenant__is_template=True).order_by("domain")
        lines = ["", "SGSC rulează / SGSC is running:"]
        lines += [f"  http://{domain.domain}:{port}/  ({domain.tenant.name})"
                  for domain in hosts.select_related("tenant")]
        if logins:
            lines += ["", f"Conturi demonstrative (parola: {settings.DEMO_PASSWORD}):"]
            lines += [f"  {login.email:34} http://{login.host}:{port}/  {', '.join(login.roles)}"
                      for login in logins]
        lines += ["", "Ctrl-C oprește totul / Ctrl-C stops everything.", ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _supervise(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        stopping = False

        def request_stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with code {child.returncode}; "
                                          "stopping everything.")
                        stopping = True
                time.sleep(0.3)
        finally:
            self._stop_children(children)

    def _stop_children(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.stdout.write("Toate procesele au fost oprite.")
