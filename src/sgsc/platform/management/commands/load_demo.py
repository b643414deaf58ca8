"""``sgsc load_demo``: demo data, only where the settings allow it and the platform is empty."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sgsc.platform.demo import demo_is_needed, demo_load, demo_logins


class Command(BaseCommand):
    help = "Load demo institutions, tenants and users into an empty platform (dev only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is not allowed with these settings.")
        if not demo_is_needed():
            self.stdout.write("The platform already has data; demo data not loaded.")
            return
        demo_load(password=settings.DEMO_PASSWORD)
        for login in demo_logins():
            self.stdout.write(f"{login.email:34} {login.host:28} {', '.join(login.roles)}")
