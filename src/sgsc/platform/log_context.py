"""Logging filter adding tenant, user and request id from the request context."""

from __future__ import annotations

import logging

from sgsc.platform import context


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = context.current()
        record.tenant = ctx.tenant or "-"
        record.user = ctx.user_id if ctx.user_id is not None else "-"
        record.request_id = ctx.request_id or "-"
        return True
