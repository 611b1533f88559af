"""Demo filing types, rejection reasons, and a few filings (some waiting in the review queue)."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.base import ContentFile
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Appearance, Case, EventCode

from .models import Filing, FilingType

DEMO_COURTS = ["sarasota", "denver"]
# Subpoenas are docketed under their own code; the demo courts get it (other courts add
# it in admin, after which filing_types_install_defaults adds the Subpoena type).
EXTRA_EVENT_CODES = {"SUBP": "Subpoena issued"}

DEMO_FILINGS = [
    # (filing type code, title, accepted)
    ("MOTN", "Motion to continue trial", False),
    ("RESP", "Response to the State's motion in limine", False),
    ("MOTN", "Motion for discovery", False),
    ("ANSW", "Answer and affirmative defenses", True),
    ("MOTN", "Motion to reduce bond", True),
]


def _text_page(lines: list[str]) -> PageObject:
    page = PageObject.create_blank_page(width=612, height=792)
    ops = [b"BT /F1 12 Tf 72 700 Td 16 TL"]
    for line in lines:
        text = line.encode("cp1252", "replace")
        text = text.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append(b"(" + text + b") '")
    ops.append(b"ET")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops))
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Times-Roman"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    page[NameObject("/Contents")] = stream
    return page


def demo_pdf(title: str, case: Case, pages: int = 2) -> bytes:
    """A small, readable PDF (pypdf only): the caption and title on page 1."""
    writer = PdfWriter()
    for n in range(pages):
        lines = [case.court.name, case.caption, f"Case No. {case.number}", "", title.upper()]
        if n:
            lines = [f"{title}, page {n + 1}"]
        writer.add_blank_page(612, 792).merge_page(_text_page(lines))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seed_filing_types(*, log: Callable[[str], None]) -> None:
    from .services import filing_types_install_defaults, rejection_reasons_install_defaults

    for court in Court.objects.filter(code__in=DEMO_COURTS):
        for code, description in EXTRA_EVENT_CODES.items():
            EventCode.objects.get_or_create(
                court=court, code=code, defaults={"description": description}
            )
        added = filing_types_install_defaults(court=court)
        reasons = rejection_reasons_install_defaults(court=court)
        if added or reasons:
            log(f"filing types {court.code}: {added}, rejection reasons: {reasons}")


def seed_filings(*, log: Callable[[str], None]) -> None:
    from .services import filing_accept, filing_submit

    for court in Court.objects.filter(code__in=DEMO_COURTS).order_by("code"):
        if Filing.objects.filter(case__court=court).exists():
            continue
        clerk = User.objects.filter(role=Role.CLERK, memberships__court=court).first()
        appearances = list(
            Appearance.objects.filter(
                case__court=court,
                withdrawn_on__isnull=True,
                case__confidentiality="public",
                case__status__in=["filed", "active"],
            )
            .select_related("case__court", "attorney")
            .order_by("case__filed_on", "id")[: len(DEMO_FILINGS)]
        )
        types = {t.code: t for t in FilingType.objects.filter(court=court)}
        made = 0
        for (code, title, accept), appearance in zip(DEMO_FILINGS, appearances, strict=False):
            if code not in types:
                continue
            case = appearance.case
            filing = filing_submit(
                case=case,
                filing_type=types[code],
                upload=ContentFile(
                    demo_pdf(title, case), name=f"{title.lower().replace(' ', '-')}.pdf"
                ),
                filer=appearance.attorney,
                title=title,
            )
            if accept and clerk is not None:
                filing_accept(filing=filing, clerk=clerk)
            made += 1
        if made:
            log(f"{made} filings in {court.code}")
