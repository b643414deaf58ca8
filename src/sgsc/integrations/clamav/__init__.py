"""Virus scanning of uploaded files through clamd, the ClamAV daemon, over its unix socket."""
