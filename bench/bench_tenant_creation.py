"""Tenant creation: cloning the template schema versus migrating a new schema.

Run: .venv/bin/python bench/bench_tenant_creation.py [--repeat N]
Prints the median of each way and the ratio; the baseline (migrate) runs in the same process.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django.setup()
    from django.test import override_settings

    from sgsc.tenants.models import Tenant
    from sgsc.tenants.services import tenant_create

    counter = itertools.count()

    def create() -> None:
        tenant_create(slug=f"bench-{next(counter)}", name="Bench", kind=Tenant.Kind.PROVIDER)

    with _django.scratch_database():
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            migrate = _django.median_seconds(create, repeat=args.repeat)
        clone = _django.median_seconds(create, repeat=args.repeat)
    print(f"tenant creation, median of {args.repeat}:")
    print(f"  migrate every migration (baseline): {migrate * 1000:8.1f} ms")
    print(f"  clone the template schema:          {clone * 1000:8.1f} ms")
    print(f"  ratio clone/migrate:                {clone / migrate:8.2f}")


if __name__ == "__main__":
    main()
