"""``sgsc up``: embedded servers if needed, schemas, demo data, web + worker + beat.

Ctrl-C (SIGINT) or SIGTERM, at any moment, stops the children first, then the embedded
servers (from the exit hooks of ``sgsc.platform.embedded``), and exits with code 0. The
children run in their own sessions and, on Linux, get SIGTERM if ``sgsc up`` itself dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.integrations.clamav.daemon import ClamdError, clamd_executables, clamd_prepare
from sgsc.platform.demo import DemoLogin, demo_is_needed, demo_load, demo_logins
from sgsc.tenants.models import Domain

STOP_GRACE_SECONDS = 15
WEB_START_SECONDS = 60
_PR_SET_PDEATHSIG = 1


def _death_signal_setter() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when this process dies."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return set_death_signal


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _ignore(signum: int, frame: Any) -> None:
    """Once stopping, a second Ctrl-C must not cut the stop (or the servers' stop) short."""


def _port_is_free(bind: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((bind, port))
        except OSError:
            return False
    return True


def _test_mpass_wanted() -> bool:
    """Development without a real MPass: run the local test identity provider."""
    return not settings.MPASS_IDP_METADATA and getattr(settings, "DEMO_DATA_ALLOWED", False)


def _test_clamd_wanted() -> bool:
    """Development without a virus scanner configured: run a local clamd if it is installed."""
    return (not settings.CLAMAV_SOCKET and getattr(settings, "DEMO_DATA_ALLOWED", False)
            and clamd_executables() is not None)


class Command(BaseCommand):
    help = "Bring the whole platform up: database, schemas, demo data, web, worker and beat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--bind", default=os.environ.get("SGSC_BIND", "127.0.0.1"))
        parser.add_argument("--no-worker", action="store_true", help="Start no Celery worker.")
        parser.add_argument("--no-beat", action="store_true", help="Start no Celery beat.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not _port_is_free(options["bind"], options["port"]):
            raise CommandError(f"Port {options['port']} on {options['bind']} is already in use; "
                               "choose another one with --port.")
        children: dict[str, subprocess.Popen[bytes]] = {}
        failed: str | None = None
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _interrupt)
        try:
            call_command("platform_init", verbosity=0)
            logins: list[DemoLogin] = []
            if getattr(settings, "DEMO_DATA_ALLOWED", False):
                if demo_is_needed():
                    # The demo's access e-mails carry links with this server's port.
                    settings.TENANT_URL_PORT = settings.TENANT_URL_PORT or str(options["port"])
                    demo_load(password=settings.DEMO_PASSWORD)
                logins = demo_logins()
            call_command("collectstatic", interactive=False, verbosity=0)
            self._start_children(options, children)
            self._wait_for_web(options["bind"], options["port"], children["web"])
            self._print_banner(options["port"], logins)
            failed = self._supervise(children)
        except KeyboardInterrupt:
            pass
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, _ignore)
            self._stop_children(children)
        if failed is not None:
            raise CommandError(f"{failed} exited with code {children[failed].returncode}; "
                               "everything was stopped.")

    def _start_children(self, options: dict[str, Any],
                        children: dict[str, subprocess.Popen[bytes]]) -> None:
        """Start web, worker and beat into ``children`` (filled as they start)."""
        python = sys.executable
        # The embedded servers' URLs are in os.environ already; children inherit them.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        # Links in e-mails (activation, access package) must carry the local port.
        env.setdefault("TENANT_URL_PORT", str(options["port"]))
        commands = {
            "web": [python, "-m", "gunicorn", "sgsc.platform.wsgi:application",
                    "--bind", f"{options['bind']}:{options['port']}", "--workers", "2",
                    "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "10"],
        }
        if not options["no_worker"]:
            commands["worker"] = [python, "-m", "celery", "-A", "sgsc.platform.celery", "worker",
                                  "--loglevel", "INFO", "--concurrency", "2",
                                  "--queues", "default,periodic,audit"]
        if _test_mpass_wanted():
            # The local test MPass: the web children trust it through MPASS_TEST_IDP_URL.
            commands["mpass-idp"] = [python, "-m", "sgsc.platform.cli", "mpass_idp",
                                     "--bind", options["bind"]]
        if _test_clamd_wanted():
            # A real clamd that knows only the EICAR test file: uploads go through the same
            # scan as in production. The web and worker children find it via CLAMAV_SOCKET.
            try:
                clamd = clamd_prepare(folder=settings.SGSC_HOME / "clamav")
            except ClamdError as exc:
                raise CommandError(str(exc)) from exc
            env["CLAMAV_SOCKET"] = str(clamd.socket_path)
            commands["clamd"] = list(clamd.command)
        if not options["no_beat"]:
            schedule = str(settings.SGSC_HOME / "celerybeat-schedule")
            commands["beat"] = [python, "-m", "celery", "-A", "sgsc.platform.celery", "beat",
                                "--loglevel", "INFO", "--schedule", schedule]
        preexec = _death_signal_setter()
        for name, command in commands.items():
            # Own sessions: a Ctrl-C in the terminal reaches only us, and we stop them in order.
            children[name] = subprocess.Popen(  # noqa: S603
                command, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
                # clamd writes its own log file and would repeat its start-up lines here.
                stdout=subprocess.DEVNULL if name == "clamd" else None, preexec_fn=preexec)

    def _wait_for_web(self, bind: str, port: int, web: subprocess.Popen[bytes]) -> None:
        """Print the banner only once the web server accepts connections."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(bind, bind)  # noqa: S104
        deadline = time.monotonic() + WEB_START_SECONDS
        while time.monotonic() < deadline and web.poll() is None:
            with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
                return
            time.sleep(0.2)

    def _print_banner(self, port: int, logins: list[DemoLogin]) -> None:
        hosts = Domain.objects.exclude(tenant__is_template=True).order_by("domain")
        lines = ["", "SGSC rulează / SGSC is running:"]
        lines += [f"  http://{domain.domain}:{port}/  ({domain.tenant.name})"
                  for domain in hosts.select_related("tenant")]
        if logins:
            lines += ["", f"Conturi demonstrative (parola: {settings.DEMO_PASSWORD}):"]
            lines += [f"  {login.email:34} http://{login.host}:{port}/  {', '.join(login.roles)}"
                      for login in logins]
        if _test_mpass_wanted():
            lines += ["", f"MPass de test / test MPass: {settings.MPASS_TEST_IDP_URL}/ "
                          "(butonul „Autentificare prin MPass”)"]
        if _test_clamd_wanted():
            lines += ["", "Antivirus de test: clamd recunoaște doar fișierul EICAR / "
                          "test virus scanner: clamd knows only the EICAR file"]
        lines += ["", "Ctrl-C oprește totul / Ctrl-C stops everything.", ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _supervise(self, children: dict[str, subprocess.Popen[bytes]]) -> str:
        """Wait until a child exits (a signal ends the wait earlier); return its name."""
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; "
                                      "stopping everything.")
                    return name
            time.sleep(0.3)

    def _stop_children(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        if not children:
            return
        # SIGTERM to each leader: gunicorn and celery stop their own workers gracefully (a
        # SIGTERM to the whole group would kill celery's pool processes mid-task).
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                child.kill()
                child.wait()
        for child in children.values():
            # Whatever a child left behind in its session (normally nothing).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)
        self.stdout.write("Toate procesele au fost oprite.")
