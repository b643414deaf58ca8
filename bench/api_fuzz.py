"""Fuzz the whole REST API with schemathesis: a user's mistake must never be a 500.

Runs against a platform already up with the demo data (dev settings), e.g.
    SGSC_HOME=/tmp/fuzz-home DJANGO_SETTINGS_MODULE=sgsc.platform.settings.dev \\
        .venv/bin/sgsc up --port 8177 --no-beat
then
    .venv/bin/python bench/api_fuzz.py --port 8177 [--max-examples 25] [--seed 1] [--schema]

For each identity below it signs in with the demo password, issues itself an API token
(POST /api/v1/tokens/ from the session), runs ``schemathesis run`` on that host's
``/api/schema/`` (check ``not_a_server_error``; ``--schema`` adds response schema
conformance), then revokes the token. Writes change the demo data: use a throw-away
SGSC_HOME. Exit status 1 when any run found a failure.

Not part of ``./run test``: a run that finds anything takes minutes per host (about 1 minute
for a tenant, 4 for the public host at 25 examples per operation under the API's rate limit),
needs a live server, and what it finds (a deadlock between concurrent requests, a rare
character) is not found by a short derandomized run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import requests

DEMO_PASSWORD = "Demo-SGSC-2026!"  # noqa: S105 (the dev settings' demo password)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# (account, host prefix, operations left out). The public host's own token must not revoke
# itself half-way; the tenant runs fuzz the token endpoints too.
IDENTITIES = [
    ("admin@age.gov.md", "", ["/api/v1/tokens/{id}/"]),
    ("tarife@gov.md", "", ["/api/v1/tokens/{id}/"]),
    ("admin@cnas.gov.md", "cnas.", []),
    ("admin@hub-social.gov.md", "hub-social.", []),
]


def _session(base: str, host: str, email: str) -> requests.Session:
    session = requests.Session()
    session.headers["Host"] = host
    page = session.get(f"{base}/autentificare/", timeout=30).text
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        sys.exit(f"no sign-in form on {host}")
    answer = session.post(f"{base}/autentificare/", timeout=30, allow_redirects=False, data={
        "csrfmiddlewaretoken": match.group(1), "username": email, "password": DEMO_PASSWORD,
        "next": ""}, headers={"Referer": f"http://{host}/autentificare/"})
    if answer.status_code != 302:
        sys.exit(f"{email} could not sign in on {host} ({answer.status_code})")
    session.headers.update({"X-CSRFToken": session.cookies.get("csrftoken", ""),
                            "Referer": f"http://{host}/"})
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--schema", action="store_true", help="check response schemas too")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"  # *.localhost does not resolve here: Host header
    checks = "not_a_server_error" + (",response_schema_conformance" if args.schema else "")
    failed = []
    for email, prefix, excluded in IDENTITIES:
        host = f"{prefix}localhost:{args.port}"
        session = _session(base, host, email)
        issued = session.post(f"{base}/api/v1/tokens/", json={"name": "api-fuzz"}, timeout=30)
        issued.raise_for_status()
        token = issued.json()
        command = [str(SCHEMATHESIS), "run", f"{base}/api/schema/", "-H", f"Host: {host}",
                   "-H", f"Authorization: Token {token['key']}", "--checks", checks,
                   "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                   "--workers", "2", "--rate-limit", "1100/m",  # under the API's 1200/min
                   "--no-color"]
        for path in excluded:
            command += ["--exclude-path", path]
        print(f"== {email} on {host}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:  # noqa: S603 (our own tool)
            failed.append(email)
        session.delete(f"{base}/api/v1/tokens/{token['id']}/", timeout=30)
    print("failures as: " + ", ".join(failed) if failed else "no failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
