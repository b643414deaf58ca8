"""``sgsc mpass_idp``: the local test MPass (development and browser tests, never production).

The SP trusts it when ``MPASS_IDP_METADATA`` is empty; both sides read its address from
``MPASS_TEST_IDP_URL`` (default ``http://localhost:8090`` in development).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sgsc.integrations.doubles.mpass_idp import Person, TestIdentityProvider, serve
from sgsc.integrations.mpass.conf import sp_key_files
from sgsc.shared_apps.identity.models import User


def _people() -> list[Person]:
    """The people with an IDNP (the demo people in development), offered on the choice page."""
    return [Person(idnp=user.idnp or "", first_name=user.first_name, last_name=user.last_name,
                   email=user.email, phone=user.phone, language=user.preferred_language)
            for user in User.objects.exclude(idnp=None).order_by("last_name", "first_name")[:50]]


class Command(BaseCommand):
    help = "Run the local test MPass identity provider (SAML 2.0) as an HTTP server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=None,
                            help="Port to listen on (default: the port of MPASS_TEST_IDP_URL).")
        parser.add_argument("--bind", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MPASS_IDP_METADATA or not settings.DEMO_DATA_ALLOWED:
            raise CommandError("The test MPass runs only in development and tests "
                               "(MPASS_IDP_METADATA empty, demo data allowed).")
        base_url = settings.MPASS_TEST_IDP_URL.rstrip("/")
        port = options["port"] or urlsplit(base_url).port or 80
        _key_file, cert_file = sp_key_files()
        idp = TestIdentityProvider(base_url=base_url, sp_cert_file=Path(cert_file),
                                   base_domain=settings.BASE_DOMAIN, people=_people())
        server = serve(idp, host=options["bind"], port=port)
        self.stdout.write(f"MPass de test: {base_url}/ (metadata: {base_url}/metadata), "
                          f"listening on {options['bind']}:{port}")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
