"""Upload checks shared by connection requests and contracts."""
from __future__ import annotations

PDF_MAGIC = b"%PDF-"


def is_pdf(content: bytes) -> bool:
    """Whether the bytes (at least the first few of a file) start like a PDF document."""
    return content.startswith(PDF_MAGIC)
