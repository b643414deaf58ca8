"""``sgsc up`` on the embedded servers: it serves, stops without leftovers and starts again.

Each test runs the real command in a subprocess with its own ``SGSC_HOME`` and without
``DATABASE_URL``/``REDIS_URL`` (CI sets them for the other tests).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import redis

from sgsc.platform import embedded

pytestmark = pytest.mark.embedded

START_SECONDS = 120
STOP_SECONDS = 60
REMOVED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SGSC_ALLOW_EMBEDDED", "PORT", "SGSC_BIND")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in REMOVED_VARIABLES}
    # The test MPass gets a free port too, so a platform already running here does not clash.
    env.update(SGSC_HOME=str(home), DJANGO_SETTINGS_MODULE="sgsc.platform.settings.dev",
               PYTHONUNBUFFERED="1", MPASS_TEST_IDP_URL=f"http://localhost:{_free_port()}")
    return env


def _sgsc() -> list[str]:
    script = Path(sys.executable).with_name("sgsc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sgsc.platform.cli"]


def _get(port: int, host: str, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass
class Up:
    """One ``sgsc up`` run and what it started."""

    process: subprocess.Popen[bytes]
    home: Path
    port: int
    stdout: Path
    stderr: Path
    seen: dict[int, float] = field(default_factory=dict)  # pid -> create time

    def output(self) -> str:
        return self.stdout.read_text(errors="replace")

    def report(self) -> str:
        parts = [("stdout", self.stdout), ("stderr", self.stderr),
                 ("PostgreSQL log", self.home / "pgdata" / "log"),
                 ("Valkey log", self.home / "valkey" / "valkey.log")]
        return "\n".join(f"--- {title}\n{path.read_text(errors='replace')[-4000:]}"
                         for title, path in parts if path.exists())

    def remember_processes(self) -> None:
        """Its children (web, worker, beat, Valkey) and the PostgreSQL server."""
        processes = psutil.Process(self.process.pid).children(recursive=True)
        postmaster = self.home / "pgdata" / "postmaster.pid"
        if postmaster.exists():
            processes.append(psutil.Process(int(postmaster.read_text().splitlines()[0])))
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                self.seen[process.pid] = process.create_time()

    def commands(self) -> str:
        lines = []
        for pid in self.seen:
            with contextlib.suppress(psutil.Error):
                lines.append(" ".join(psutil.Process(pid).cmdline()))
        return "\n".join(lines)


@pytest.fixture
def home() -> Iterator[Path]:
    """An empty ``SGSC_HOME``.

    Not under ``tmp_path``: run as root, PostgreSQL runs as the ``pgserver`` user, which must
    traverse every parent folder, and pytest keeps ``/tmp/pytest-of-<user>`` at mode 0700
    (any pytest session starting meanwhile resets it).
    """
    folder = Path(tempfile.mkdtemp(prefix="sgsc-up-"))
    yield folder / "home"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def runs() -> Iterator[list[Up]]:
    """Every run started by a test; anything still alive at the end is killed."""
    started: list[Up] = []
    yield started
    for up in started:
        if up.process.poll() is None:
            up.process.kill()
            up.process.wait()
        for process in _leftovers(up.home, up.seen):
            with contextlib.suppress(psutil.Error):
                process.kill()


def _start(home: Path, port: int, runs: list[Up]) -> Up:
    tag = f"{len(runs) + 1}"
    stdout, stderr = home.parent / f"up-{tag}.out", home.parent / f"up-{tag}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [*_sgsc(), "up", "--port", str(port)], env=_environment(home), cwd=home.parent,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    up = Up(process=process, home=home, port=port, stdout=stdout, stderr=stderr)
    runs.append(up)
    return up


def _wait_ready(up: Up) -> dict[str, object]:
    """Wait for /readyz to answer 200 and for the banner; return the readiness report."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if up.process.poll() is not None:
            pytest.fail(f"sgsc up exited with {up.process.returncode}\n{up.report()}")
        try:
            status, body = _get(up.port, "localhost", "/readyz")
        except OSError:
            status, body = 0, ""
        if status == 200 and "Ctrl-C" in up.output():
            report: dict[str, object] = json.loads(body)
            up.remember_processes()
            return report
        time.sleep(0.5)
    pytest.fail(f"sgsc up was not ready within {START_SECONDS} s\n{up.report()}")


def _interrupt(up: Up) -> None:
    """SIGINT to the ``sgsc up`` process only; it must stop everything and exit with 0."""
    up.remember_processes()
    up.process.send_signal(signal.SIGINT)
    try:
        code = up.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sgsc up did not stop within {STOP_SECONDS} s\n{up.report()}")
    assert code == 0, up.report()


def _mentions(process: psutil.Process, home: Path) -> bool:
    try:
        cwd = process.cwd()
        cmdline = " ".join(process.cmdline())
        return process.status() != psutil.STATUS_ZOMBIE and (
            str(home) in cmdline or cwd == str(home) or cwd.startswith(f"{home}/"))
    except psutil.Error:
        return False


def _leftovers(home: Path, seen: dict[int, float]) -> list[psutil.Process]:
    found: dict[int, psutil.Process] = {}
    for pid, created in seen.items():
        try:
            process = psutil.Process(pid)
            if process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE:
                found[pid] = process
        except psutil.Error:
            pass
    for process in psutil.process_iter():
        if process.pid != os.getpid() and _mentions(process, home):
            found[process.pid] = process
    return list(found.values())


def _assert_nothing_left(up: Up) -> None:
    deadline = time.monotonic() + 5  # a PostgreSQL backend may take a moment after the stop
    while (left := _leftovers(up.home, up.seen)) and time.monotonic() < deadline:
        time.sleep(0.2)
    described = []
    for process in left:
        with contextlib.suppress(psutil.Error):
            described.append(f"{process.pid}: {' '.join(process.cmdline())}")
    assert not described, "left behind:\n" + "\n".join(described) + "\n" + up.report()


def _assert_serves(up: Up) -> None:
    report = _wait_ready(up)
    checks = report["checks"]
    assert isinstance(checks, dict)
    assert set(checks) == {"database", "redis", "migrations"}
    assert all(check["status"] == "ok" for check in checks.values()), report
    status, body = _get(up.port, "cnas.localhost", "/autentificare/")
    assert status == 200
    assert "Autentificare" in body
    output = up.output()
    assert f"http://localhost:{up.port}/" in output
    assert f"http://cnas.localhost:{up.port}/" in output
    assert f"http://hub-social.localhost:{up.port}/" in output
    assert "Conturi demonstrative" in output
    for email in ("admin@age.gov.md", "admin@cnas.gov.md", "operator@hub-social.gov.md"):
        # Once in the banner (the console e-mail backend may print the same address too).
        banner_lines = re.findall(rf"^\s+{re.escape(email)}\s+http://", output, re.MULTILINE)
        assert len(banner_lines) == 1, output


def test_up_serves_stops_cleanly_and_reuses_its_data(home: Path, runs: list[Up]) -> None:
    port = _free_port()

    first = _start(home, port, runs)
    _assert_serves(first)
    commands = first.commands()
    for expected in ("gunicorn", "celery -A sgsc.platform.celery worker",
                     "celery -A sgsc.platform.celery beat", "valkey-server", "postgres"):
        assert expected in commands, commands
    _interrupt(first)
    assert "Toate procesele au fost oprite." in first.output()
    _assert_nothing_left(first)

    # Same home, same port: the data is reused (a second demo load would fail on the
    # existing tenants) and the banner still lists the demo accounts.
    second = _start(home, port, runs)
    _assert_serves(second)
    # Another process joins the running servers and leaves them running when it exits.
    shell = subprocess.run(
        [*_sgsc(), "shell", "-c",
         "from sgsc.shared_apps.identity.models import User; "
         "print(User.objects.filter(email='admin@age.gov.md').count())"],
        env=_environment(home), capture_output=True, text=True, timeout=120, check=False)
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.split()[-1] == "1", shell.stdout
    assert "XDG_RUNTIME_DIR" not in shell.stderr
    assert _get(port, "localhost", "/readyz")[0] == 200
    _interrupt(second)
    _assert_nothing_left(second)
    assert "XDG_RUNTIME_DIR" not in second.stderr.read_text()


def test_up_starts_after_a_killed_run(home: Path, runs: list[Up]) -> None:
    port = _free_port()

    # SIGKILL to `sgsc up` alone: its children follow it, the servers stay for the next run.
    killed = _start(home, port, runs)
    _wait_ready(killed)
    children = psutil.Process(killed.process.pid).children()
    killed.process.kill()
    killed.process.wait()
    _gone, alive = psutil.wait_procs(
        [child for child in children if "valkey-server" not in child.name()], timeout=30)
    assert not alive, [" ".join(process.cmdline()) for process in alive]

    adopting = _start(home, port, runs)
    _assert_serves(adopting)
    _interrupt(adopting)
    _assert_nothing_left(adopting)
    _assert_nothing_left(killed)

    # A crash of everything, then the pid of the old postmaster taken by another process.
    crashed = _start(home, port, runs)
    _wait_ready(crashed)
    crashed.process.kill()
    crashed.process.wait()
    for process in _leftovers(home, crashed.seen):
        with contextlib.suppress(psutil.Error):
            process.kill()
    deadline = time.monotonic() + 20
    while _leftovers(home, crashed.seen) and time.monotonic() < deadline:
        time.sleep(0.2)
    pid_file = home / "pgdata" / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")

    recovered = _start(home, port, runs)
    _assert_serves(recovered)
    _interrupt(recovered)
    _assert_nothing_left(recovered)


def test_valkey_ignores_a_stale_state_file(tmp_path: Path) -> None:
    """A state file left by a killed run must not make us use another program's server."""
    other_dir, own_dir = tmp_path / "other", tmp_path / "own"
    other_url = embedded.valkey_acquire(other_dir)
    try:
        other_port = int(other_url.rsplit(":", 1)[1].split("/")[0])
        other_pid = json.loads((other_dir / "server.json").read_text())["pid"]
        dead = subprocess.Popen(["true"])
        dead.wait()
        own_dir.mkdir()
        (own_dir / "users.json").write_text(json.dumps([dead.pid]))
        for stale_pid in (dead.pid, other_pid):
            (own_dir / "server.json").write_text(
                json.dumps({"pid": stale_pid, "port": other_port}))
            own_url = embedded.valkey_acquire(own_dir)
            try:
                assert own_url != other_url
                client = redis.Redis.from_url(own_url)
                config_file = client.info("server")["config_file"]
                client.close()
                assert config_file == str(own_dir.resolve() / "valkey.conf")
                assert json.loads((own_dir / "users.json").read_text()) == [os.getpid()]
                own_pid = json.loads((own_dir / "server.json").read_text())["pid"]
            finally:
                embedded.valkey_release(own_dir)
            assert not psutil.pid_exists(own_pid) or (
                psutil.Process(own_pid).status() == psutil.STATUS_ZOMBIE)
            assert not (own_dir / "server.json").exists()
            assert psutil.Process(other_pid).is_running()  # the other server was left alone
    finally:
        embedded.valkey_release(other_dir)
    assert not psutil.pid_exists(other_pid)
