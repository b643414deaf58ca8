"""The error views Django looks up in a URL configuration (both hosts import these)."""

__all__ = ["handler400", "handler403", "handler404", "handler500"]

handler400 = "sgsc.platform.views.bad_request"
handler403 = "sgsc.platform.views.permission_denied"
handler404 = "sgsc.platform.views.page_not_found"
handler500 = "sgsc.platform.views.server_error"
