import os

from django.core.wsgi import get_wsgi_application

# Servers default to production settings; `sgsc up` sets the dev settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgsc.platform.settings.prod")
application = get_wsgi_application()
