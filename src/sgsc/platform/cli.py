"""The ``sgsc`` command: Django's management commands with the platform's settings.

``sgsc up`` brings everything up; any other word is a management command
(``sgsc migrate_schemas``, ``sgsc audit verify``, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgsc.platform.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sgsc", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
