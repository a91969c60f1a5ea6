from pathlib import Path

__all__ = ["HEADER", "INCLUDE_DIR", "LIBRARY", "cdef_from_header"]

LIBRARY: Path
INCLUDE_DIR: Path
HEADER: Path

def cdef_from_header(header_text: str) -> str: ...
