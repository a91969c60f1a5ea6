from pathlib import Path

__all__ = ["CFFI_SUPPORTED", "HEADER", "INCLUDE_DIR", "LIBRARY", "cdef_from_header", "cffi_unsupported_error"]

LIBRARY: Path
INCLUDE_DIR: Path
HEADER: Path
CFFI_SUPPORTED: bool

def cdef_from_header(header_text: str) -> str: ...
def cffi_unsupported_error(module: str) -> ImportError: ...
