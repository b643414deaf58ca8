"""MLog adapter: ships the audit log to MLog, the government's legal-events registrar."""
