"""PDFs with pypdf: what an upload really is, and the clerk's "FILED" stamp on page 1.

No rendering engine is involved: the stamp is a one-line content stream in the
standard Helvetica font (one of the 14 fonts every PDF reader has, so nothing is
embedded), drawn on an overlay page and merged over the first page of a copy. The
text stays extractable (``page.extract_text()``), page count and page sizes are
unchanged, and the original bytes are only read.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import IO

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
)

logger = logging.getLogger(__name__)

PDF_MIME_TYPE = "application/pdf"
# ISO 32000-1 7.5.2 puts "%PDF-" first; readers (Acrobat among them) accept it anywhere
# in the first 1024 bytes, after junk some producers write.
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024
CHUNK = 64 * 1024


class PdfRefused(Exception):
    """The bytes are not an acceptable PDF. `code` is the stable refusal code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PdfFacts:
    sha256: str
    size_bytes: int
    page_count: int
    mime_type: str = PDF_MIME_TYPE


def pdf_inspect(stream: IO[bytes], *, max_bytes: int) -> PdfFacts:
    """Digest, size and page count of a PDF, or the reason it is refused.

    Reads the stream once to hash and measure it (stopping past `max_bytes`), then
    parses it with pypdf: the header must say PDF, the cross-reference and page tree
    must load, every page must have a media box, and the first page's content (the
    one the stamp goes on) must decode.

    Raises:
        PdfRefused: DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE, DOCUMENT_NOT_PDF,
            DOCUMENT_ENCRYPTED, DOCUMENT_CORRUPT.
    """
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise PdfRefused(
                "DOCUMENT_TOO_LARGE",
                f"The file is larger than the limit of {_megabytes(max_bytes)}.",
            )
        if len(head) < PDF_MAGIC_WINDOW:
            head += chunk[: PDF_MAGIC_WINDOW - len(head)]
        digest.update(chunk)
    if size == 0:
        raise PdfRefused("DOCUMENT_EMPTY", "The file is empty.")
    if PDF_MAGIC not in head:
        raise PdfRefused(
            "DOCUMENT_NOT_PDF", "The file is not a PDF, whatever its name says. Upload a PDF."
        )
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise PdfRefused(
                "DOCUMENT_ENCRYPTED",
                "The PDF is password-protected or encrypted. Upload it without protection.",
            )
        pages = reader.pages
        count = len(pages)
        for page in pages:
            _ = page.mediabox
        if count:
            pages[0].get_contents()
    except PdfRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; all mean "corrupt"
        logger.info("PDF refused as corrupt: %s: %s", type(exc).__name__, exc)
        raise PdfRefused(
            "DOCUMENT_CORRUPT", "The PDF is damaged and cannot be read. Upload a good copy."
        ) from exc
    finally:
        stream.seek(0)
    if count == 0:
        raise PdfRefused("DOCUMENT_CORRUPT", "The PDF has no pages.")
    return PdfFacts(sha256=digest.hexdigest(), size_bytes=size, page_count=count)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


# --- the stamp ------------------------------------------------------------------------------

FONT_RESOURCE = "/F1"
FONT_SIZE = 9.0
MIN_FONT_SIZE = 5.0
MARGIN = 18.0  # points from the edges of the visible page (a quarter inch)
STAMP_COLOR = (0.6, 0.0, 0.0)  # dark red, as clerks' stamps are

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from Adobe's Core 14 AFM
# files; other characters are measured at 556 (the width of a digit).
_HELVETICA_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_DEFAULT_WIDTH = 556


def _text_width(text: str, size: float) -> float:
    units = sum(
        _HELVETICA_WIDTHS[ord(ch) - 32] if 32 <= ord(ch) <= 126 else _DEFAULT_WIDTH for ch in text
    )
    return units * size / 1000


def _pdf_string(text: str) -> bytes:
    """`text` as a PDF literal string in WinAnsiEncoding (what the font resource declares)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _placement(box: RectangleObject, rotation: int) -> tuple[tuple[float, ...], float, float]:
    """The matrix from "as the reader sees the page" to page space, and the seen size.

    A page with /Rotate is shown turned clockwise; the stamp must read left to right
    at the top of the page as shown, whatever the rotation.
    """
    llx, lly = float(box.left), float(box.bottom)
    urx, ury = float(box.right), float(box.top)
    width, height = urx - llx, ury - lly
    rotation %= 360
    if rotation == 90:
        return (0, 1, -1, 0, urx, lly), height, width
    if rotation == 180:
        return (-1, 0, 0, -1, urx, ury), width, height
    if rotation == 270:
        return (0, -1, 1, 0, llx, ury), height, width
    return (1, 0, 0, 1, llx, lly), width, height


def _overlay(page: PageObject, text: str) -> PageObject:
    box = page.cropbox
    matrix, seen_width, seen_height = _placement(box, page.rotation or 0)
    size = FONT_SIZE
    room = seen_width - 2 * MARGIN
    if _text_width(text, size) > room:
        size = max(MIN_FONT_SIZE, size * room / _text_width(text, size))
    x = max(MARGIN, seen_width - MARGIN - _text_width(text, size))
    y = seen_height - MARGIN - size
    red, green, blue = STAMP_COLOR
    content = b"".join(
        [
            b"q ",
            " ".join(f"{v:g}" for v in matrix).encode() + b" cm ",
            f"{red:g} {green:g} {blue:g} rg ".encode(),
            b"BT " + FONT_RESOURCE.encode() + f" {size:.2f} Tf {x:.2f} {y:.2f} Td ".encode(),
            _pdf_string(text),
            b" Tj ET Q",
        ]
    )
    overlay = PageObject.create_blank_page(
        width=float(page.mediabox.width), height=float(page.mediabox.height)
    )
    # Same media box as the page (it may not start at 0,0): the merge clips to it.
    overlay.mediabox = RectangleObject(page.mediabox)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject(FONT_RESOURCE): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(content)
    overlay[NameObject("/Contents")] = stream
    return overlay


def pdf_stamp(source: IO[bytes], text: str) -> bytes:
    """A copy of the PDF in `source` with `text` stamped across the top of page 1.

    The source is only read. Every page, the page count and the document's other
    content are kept; on page 1 the stamp is drawn over the existing content (a
    clashing font name on the page is renamed by pypdf). Raises whatever pypdf raises
    on a PDF it cannot rewrite.
    """
    source.seek(0)
    reader = PdfReader(source, strict=False)
    writer = PdfWriter(clone_from=reader)
    first = writer.pages[0]
    first.merge_page(_overlay(first, text))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
