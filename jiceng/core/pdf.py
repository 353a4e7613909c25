"""The one way to render a PDF (or a picture of one): a Typst template of the app that owns
the document (`<app>/typst/<name>.typ`), filled with JSON data.

- **Data goes in as JSON, never pasted into markup**: a template reads
  `json(bytes(sys.inputs.data))`, so a unit name like `#read("/etc/passwd")` prints as it is.
- **Fonts**: the system's Noto CJK (`fonts-noto-cjk`, installed by `make system-deps`); a
  template sets `cjk-latin-spacing: none` (or Typst writes "2026 年" with a space) and names
  the font. No `@preview` packages: they download at compile time.
- **One compiler per template, reused** (loading fonts costs ~0.1–0.4 s, a compile after that
  a few milliseconds), behind a lock: a compiler is not shared between threads at once.
- `render(template, data)` gives the PDF's bytes, `render(..., image=True)` a PNG of its first
  page (for looking at it in tests); `pdf_response` serves one with a server-chosen name.
"""

import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import typst
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

_compilers: dict[Path, Any] = {}
_lock = threading.Lock()


class RenderError(RuntimeError):
    """A template failed to compile: a programming error, never the user's data."""


def _compiler(template: Path) -> Any:
    compiler = _compilers.get(template)
    if compiler is None:
        compiler = typst.Compiler(str(template), root=str(template.parent))
        _compilers[template] = compiler
    return compiler


def render(template: Path, data: dict[str, Any], *, image: bool = False, ppi: int = 96) -> bytes:
    """`template` (a .typ file) filled with `data` (JSON-serialisable; Decimals and dates as
    strings): the PDF, or with `image` a PNG of its first page."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    with _lock:
        compiler = _compiler(template)
        try:
            result = compiler.compile(
                sys_inputs={"data": payload}, format="png" if image else "pdf", ppi=ppi
            )
        except typst.TypstError as error:  # pragma: no cover - a broken template
            raise RenderError(str(error)) from error
    if isinstance(result, list):  # PNG: one image per page
        return bytes(result[0])
    return bytes(result)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """The PDF as a response: shown in the browser (or downloaded), named by the server."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
