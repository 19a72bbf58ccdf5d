"""Which files the board's documents may be: pure checks over the bytes, no Flask.

The type is decided by the content (its magic numbers, through ``filetype``), never by the
name or the browser's word alone; the extension must agree with it. HTML, scripts and
executables are refused whatever they are called. Plain text (CSV, TXT) has no magic
number: it must decode as UTF-8 and hold nothing a browser would run as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype

# extension -> (content type, what ``filetype`` reports for it, or None for plain text)
ALLOWED = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpg"),
    "jpeg": ("image/jpeg", "jpg"),
    "csv": ("text/csv", None),
    "txt": ("text/plain", None),
}
ALLOWED_LABEL = "PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, ODS, PNG, JPEG, CSV or TXT"

_MARKUP = (b"<html", b"<script", b"<!doctype", b"<svg", b"<iframe", b"<?xml", b"<body")
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


@dataclass(frozen=True)
class Checked:
    extension: str
    content_type: str


def extension_of(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name.rsplit(".", 1)[1] if "." in name else ""


def check(filename: str, content: bytes, max_bytes: int) -> Checked | str:
    """The file's checked type, or why it is refused (a sentence for the person)."""
    if not content:
        return "The file is empty."
    if len(content) > max_bytes:
        return f"The file is larger than the limit of {max_bytes // (1024 * 1024)} MB."
    extension = extension_of(filename)
    if extension not in ALLOWED:
        return f"Files of this type cannot be attached: attach {ALLOWED_LABEL}."
    head = content[:2048]
    if head.startswith(_EXECUTABLE):
        return "Programs cannot be attached."
    content_type, expected = ALLOWED[extension]
    if expected is None:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return f"The content is not plain text, so it is not a .{extension} file."
        lowered = text[:4096].lower().encode()
        if "\x00" in text or any(tag in lowered for tag in _MARKUP):
            return "Web pages and markup cannot be attached."
        return Checked(extension, content_type)
    found = filetype.guess(content)
    if found is None or found.extension != expected:
        what = f"a {found.extension.upper()} file" if found else "not a file of that type"
        return f"The content does not match its name: it is {what}, not .{extension}."
    return Checked(extension, content_type)
