"""HTML to PDF with WeasyPrint, for what the court issues (notices, orders).

Documents are self-contained: inline CSS and system fonts (DejaVu, from the
`fonts-dejavu-core` package the Makefile installs). Nothing is fetched while
rendering, so a template cannot make the worker reach the network or read files.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache


class PdfRenderError(Exception):
    """WeasyPrint could not render the HTML (the cause is chained)."""


@cache
def _weasyprint():
    """WeasyPrint, imported on first use: importing it parses its default stylesheets,
    which every web process and management command would otherwise pay at start-up."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Refuses every URL (images, stylesheets, fonts by URL): WeasyPrint only warns."""

        def fetch(self, url, headers=None):
            raise ValueError(f"documents issued by the court fetch nothing: {url[:100]}")

    return HTML, NoFetching()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    # (first page, 1-based; number of pages) of each part, in order.
    parts: tuple[tuple[int, int], ...]


def html_to_pdf(parts: Sequence[str], *, title: str = "") -> RenderedPdf:
    """Render HTML documents to one PDF, each part starting on a new page.

    Each part is laid out as a document of its own, so "Page 1 of 2" in a page
    margin counts that part's pages only (a recipient's copy within a notice);
    the pages are then written as one PDF, which embeds each font subset once.

    Raises:
        PdfRenderError: WeasyPrint failed (bad markup is not an error for it;
            this is rare: memory, a font or a library problem).
    """
    if not parts:
        raise ValueError("nothing to render")
    try:
        html_class, fetcher = _weasyprint()
        documents = [html_class(string=part, url_fetcher=fetcher).render() for part in parts]
        pages = [page for document in documents for page in document.pages]
        combined = documents[0].copy(pages)
        if title:
            combined.metadata.title = title
        content = combined.write_pdf()
    except Exception as exc:
        raise PdfRenderError(f"{type(exc).__name__}: {exc}") from exc
    spans, first = [], 1
    for document in documents:
        spans.append((first, len(document.pages)))
        first += len(document.pages)
    return RenderedPdf(content=content, page_count=len(pages), parts=tuple(spans))


def pdf_pages(content: bytes, *, first_page: int, page_count: int) -> bytes:
    """The PDF made of pages first_page .. first_page + page_count - 1 of `content`."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(content))
    if first_page == 1 and page_count == len(reader.pages):
        return content
    writer = PdfWriter()
    for index in range(first_page - 1, first_page - 1 + page_count):
        writer.add_page(reader.pages[index])
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
