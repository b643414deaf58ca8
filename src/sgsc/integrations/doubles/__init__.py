"""Local test doubles of outside systems, for development and the tests (never production)."""
