import os

from django.core.asgi import get_asgi_application

# Servers default to production settings; `sgsc up` sets the dev settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgsc.platform.settings.prod")
application = get_asgi_application()
