"""Settings for static analysis (mypy's Django plugin): never connects to anything."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:1/typecheck")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")

from sgsc.platform.settings.base import *  # noqa: F403
