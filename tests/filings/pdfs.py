"""Test PDFs, made with pypdf alone: blank pages, a page with text, encrypted, damaged."""

from __future__ import annotations

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
HTML = b"<!DOCTYPE html><html><body><h1>Motion</h1></body></html>"


def text_page(text: str, *, font_name: str = "/F1", width: float = 612, height: float = 792):
    """A page showing `text` (Courier), with its font under `font_name`."""
    page = PageObject.create_blank_page(width=width, height=height)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Courier"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject(font_name): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(f"BT {font_name} 12 Tf 72 {height - 100} Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = stream
    return page


def pdf_bytes(pages: int = 2, *, text: str = "Motion to continue trial", rotate: int = 0) -> bytes:
    """A PDF of `pages` pages; page 1 carries `text`, the others are blank."""
    writer = PdfWriter()
    first = writer.add_blank_page(612, 792)
    first.merge_page(text_page(text))
    if rotate:
        first.rotate(rotate)
    for _ in range(pages - 1):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("pw")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """A real PDF cut short (a broken download, an interrupted scan)."""
    data = pdf_bytes(3)
    return data[: len(data) // 2]


def upload(data: bytes, name: str = "motion.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
