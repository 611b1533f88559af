"""The clerk's stamp (pypdf overlay): readable text on page 1, nothing else changed."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from filings.stamp import PdfRefused, pdf_inspect, pdf_stamp

from .pdfs import page_texts, pdf_bytes, text_page

STAMP = "FILED Alpha County Court 2026-03-02 09:15 2026-CV-000001 Doc 3"


def stamp(data: bytes, text: str = STAMP) -> bytes:
    return pdf_stamp(io.BytesIO(data), text)


def test_the_stamp_is_text_on_page_one_and_nothing_else_changes():
    # Given a three-page PDF with text on page 1
    original = pdf_bytes(3, text="Motion to continue trial")

    # When it is stamped
    stamped = stamp(original)

    # Then it opens, has the same pages, and page 1 reads both texts
    texts = page_texts(stamped)
    assert len(texts) == 3
    assert STAMP in texts[0]
    assert "Motion to continue trial" in texts[0]
    assert all(STAMP not in t for t in texts[1:])
    before = PdfReader(io.BytesIO(original))
    after = PdfReader(io.BytesIO(stamped))
    assert [p.mediabox for p in after.pages] == [p.mediabox for p in before.pages]


def test_a_page_already_using_the_font_name_F1_keeps_its_own_font():
    # Given a page whose own text uses a font resource named /F1 (Courier)
    original = pdf_bytes(1, text="Own text")

    stamped = stamp(original)

    # Then both texts survive: pypdf renamed the stamp's clashing font resource
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert {fonts[name].get_object()["/BaseFont"] for name in fonts} == {"/Courier", "/Helvetica"}
    assert "Own text" in page.extract_text()
    assert STAMP in page.extract_text()


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_first_pages_are_stamped_readably(rotation):
    stamped = stamp(pdf_bytes(2, rotate=rotation))

    reader = PdfReader(io.BytesIO(stamped))
    assert reader.pages[0].rotation == rotation
    assert STAMP in reader.pages[0].extract_text()


def test_a_media_box_away_from_the_origin_is_respected():
    # Given a page whose media box starts at (100, 100)
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page.merge_page(text_page("Offset page"))
    page.mediabox.lower_left = (100, 100)
    page.mediabox.upper_right = (712, 892)
    out = io.BytesIO()
    writer.write(out)

    stamped = stamp(out.getvalue())

    assert STAMP in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()


def test_court_names_outside_ascii_are_kept():
    text = (
        "FILED Twelfth Judicial Circuit — Sarasota County 2026-03-02 09:15 58-2026-CA-000001 Doc 1"
    )

    assert text in page_texts(stamp(pdf_bytes(1), text))[0]


def test_the_stamped_copy_passes_the_same_inspection_as_uploads():
    facts = pdf_inspect(io.BytesIO(stamp(pdf_bytes(4))), max_bytes=10**9)

    assert facts.page_count == 4


def test_inspection_refuses_a_pdf_without_pages():
    writer = PdfWriter()
    out = io.BytesIO()
    writer.write(out)

    with pytest.raises(PdfRefused) as refused:
        pdf_inspect(io.BytesIO(out.getvalue()), max_bytes=10**9)

    assert refused.value.code == "DOCUMENT_CORRUPT"
