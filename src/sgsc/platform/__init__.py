"""Project wiring: settings, URLs, the Celery app, the ``sgsc`` command."""
