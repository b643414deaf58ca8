"""Settings for the server and worker processes of the browser journey: the test settings,
with e-mail written to files (the activation link is only stored as a hash, so the test reads
it from the message the worker sent)."""

import os

from sgsc.platform.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("SGSC_E2E_MAIL_DIR", "/tmp/sgsc-e2e-mail")  # noqa: S108
# The browser runs submit from 127.0.0.1 run after run: no submission throttle here.
CONNECTION_REQUEST_SUBMIT_RATES = ["1000000/s"]
