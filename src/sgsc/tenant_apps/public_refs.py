"""Foreign keys from a tenant's schema to public rows (people, institutions, tenants).

Django's deletion collector looks for referencing rows in the schema it runs in, and the
public schema has no tenant tables: with PROTECT or CASCADE, deleting a person or an
institution from the public schema would fail on a missing table. These keys leave the
decision to PostgreSQL, whose constraint still refuses to delete a public row that a tenant's
data points at.
"""

from django.db import models

ON_PUBLIC_DELETE = models.DO_NOTHING
