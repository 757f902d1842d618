"""Small PDF documents for the demo cases: invoices and letters (reportlab).

Output is byte-for-byte the same for the same input (reportlab's invariant
mode), so the seeded files do not change from one run to the next.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

LEFT = 20 * mm
RIGHT = A4[0] - 20 * mm
TOP = A4[1] - 20 * mm


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    city_line: str
    country: str
    registration: str = ""


@dataclass(frozen=True)
class InvoiceItem:
    description: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


def _money(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,.2f}"


def _canvas(buffer: BytesIO, title: str, author: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("Claimbridge demo data")
    return canvas


def _party_block(canvas: Canvas, party: Party, x: float, y: float) -> None:
    lines = [party.name, party.street, party.city_line, party.country]
    if party.registration:
        lines.append(party.registration)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(x, y, lines[0])
    canvas.setFont("Helvetica", 10)
    for offset, line in enumerate(lines[1:], start=1):
        canvas.drawString(x, y - offset * 5 * mm, line)


def invoice_pdf(
    *,
    seller: Party,
    buyer: Party,
    number: str,
    issued_on: date,
    due_on: date,
    currency: str,
    items: list[InvoiceItem],
    bank_line: str,
) -> bytes:
    """An A4 invoice: seller, buyer, dates, items, total and payment terms."""
    buffer = BytesIO()
    canvas = _canvas(buffer, f"Invoice {number}", seller.name)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(LEFT, TOP, seller.name)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(
        LEFT, TOP - 6 * mm, f"{seller.street}, {seller.city_line}, {seller.country}"
    )
    if seller.registration:
        canvas.drawString(LEFT, TOP - 10 * mm, seller.registration)

    _party_block(canvas, buyer, LEFT, TOP - 30 * mm)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawRightString(RIGHT, TOP - 30 * mm, "INVOICE")
    canvas.setFont("Helvetica", 10)
    facts = [
        ("Invoice no.", number),
        ("Invoice date", issued_on.isoformat()),
        ("Due date", due_on.isoformat()),
        ("Currency", currency),
    ]
    for row, (label, value) in enumerate(facts, start=1):
        y = TOP - 30 * mm - row * 5 * mm
        canvas.drawString(RIGHT - 70 * mm, y, label)
        canvas.drawRightString(RIGHT, y, value)

    y = TOP - 75 * mm
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(LEFT, y, "Description")
    canvas.drawRightString(RIGHT - 60 * mm, y, "Qty")
    canvas.drawRightString(RIGHT - 30 * mm, y, "Unit price")
    canvas.drawRightString(RIGHT, y, "Amount")
    canvas.line(LEFT, y - 2 * mm, RIGHT, y - 2 * mm)
    canvas.setFont("Helvetica", 10)
    for item in items:
        y -= 7 * mm
        canvas.drawString(LEFT, y, item.description[:60])
        canvas.drawRightString(RIGHT - 60 * mm, y, str(item.quantity))
        canvas.drawRightString(RIGHT - 30 * mm, y, f"{item.unit_price:,.2f}")
        canvas.drawRightString(RIGHT, y, f"{item.amount:,.2f}")
    total = sum((item.amount for item in items), Decimal("0"))
    y -= 4 * mm
    canvas.line(RIGHT - 80 * mm, y, RIGHT, y)
    y -= 6 * mm
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(RIGHT - 80 * mm, y, "Total due")
    canvas.drawRightString(RIGHT, y, _money(total, currency))

    canvas.setFont("Helvetica", 9)
    terms = [
        f"Please pay {_money(total, currency)} by {due_on.isoformat()}, "
        f"quoting invoice no. {number}.",
        bank_line,
        "Late payment interest and recovery costs are charged as permitted by law.",
    ]
    for row, line in enumerate(terms):
        canvas.drawString(LEFT, 40 * mm - row * 5 * mm, line)
    canvas.setFont("Helvetica-Oblique", 7)
    canvas.drawString(
        LEFT, 15 * mm, "Demo document generated for Claimbridge. Not a real invoice."
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letter_pdf(
    *,
    sender: Party,
    recipient: Party,
    title: str,
    written_on: date,
    paragraphs: list[str],
) -> bytes:
    """A one-page letter (reminder, delivery note, agreement) with simple wrapping."""
    buffer = BytesIO()
    canvas = _canvas(buffer, title, sender.name)
    _party_block(canvas, sender, LEFT, TOP)
    _party_block(canvas, recipient, LEFT, TOP - 35 * mm)
    canvas.setFont("Helvetica", 10)
    canvas.drawRightString(RIGHT, TOP - 35 * mm, written_on.isoformat())
    canvas.setFont("Helvetica-Bold", 13)
    y = TOP - 70 * mm
    canvas.drawString(LEFT, y, title)
    canvas.setFont("Helvetica", 10)
    for paragraph in paragraphs:
        y -= 4 * mm
        for line in _wrap(paragraph, 95):
            y -= 5 * mm
            canvas.drawString(LEFT, y, line)
    canvas.setFont("Helvetica-Oblique", 7)
    canvas.drawString(
        LEFT, 15 * mm, "Demo document generated for Claimbridge. Not a real letter."
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines
