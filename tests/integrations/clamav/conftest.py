"""A real clamd with the test signature database, shared by the session."""

from tests.clamd import clamd_socket  # noqa: F401  (a fixture)
