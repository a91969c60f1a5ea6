from pathlib import Path

__all__ = ["LIBRARY", "INCLUDE_DIR", "HEADER", "cdef_from_header"]

LIBRARY: Path
INCLUDE_DIR: Path
HEADER: Path

def cdef_from_header(header_text: str) -> str: ...
