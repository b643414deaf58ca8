"""The phone channel: pages and API (included by the tenant hosts' URL configuration)."""

from django.urls import URLPattern, URLResolver

from sgsc.tenant_apps.telephony import api_urls, web_urls

urlpatterns: list[URLPattern | URLResolver] = [*web_urls.urlpatterns, *api_urls.urlpatterns]
