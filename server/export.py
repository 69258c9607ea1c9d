"""A thread as a PDF: practice, client, audience, topic, subject, then each live message with its
author, time, text, the client's seen receipt and the names and sizes of its attachments (the
files themselves stay out). Times are in the practice's time zone. Every page carries a header
(the practice, who exported it and when) and a footer ("Page N of M")."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from fpdf import FPDF

from server.models import Message

FONTS = Path(__file__).resolve().parent / "fonts"
LINE = 5.5
AUDIENCES = {"administrative": "Administrative", "billing": "Billing", "clinical": "Clinical"}
AUTHORS = {"staff": "Staff", "client": "Client", "system": "Automatic reply"}


class _Pages(FPDF):
    """A4 pages with Cairn's running header and footer; `top` and `bottom` are their texts."""

    def __init__(self, top: str, bottom: str):
        super().__init__(format="A4")
        self.top, self.bottom = top, bottom
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)

    def header(self):
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.top, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.bottom, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def text_block(self, text: str, *, size=10, bold=False, height=LINE):
        # Left-aligned (fpdf's default is justified); text set as text, never markup.
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")


def thread_pdf(thread, exporter, *, now: datetime | None = None) -> bytes:
    """The PDF bytes of `thread` as exported by the user `exporter` at `now` (default: the
    clock); deleted messages are left out."""
    zone = practice_zone(thread.practice.timezone)
    practice = thread.practice.name
    exported = local_time(now or timezone.now(), zone)
    pdf = _Pages(top=f"{practice} · Exported by {exporter.display_name} on {exported}",
                 bottom=f"{practice} · Confidential")
    pdf.set_title(thread.subject)
    pdf.set_author(practice)
    pdf.set_creator("Cairn")
    pdf.add_page()

    pdf.text_block(thread.subject, size=15, bold=True, height=8)
    pdf.ln(2)
    for label, value in (
        ("Practice", practice),
        ("Client", thread.client.name),
        ("Audience", AUDIENCES.get(thread.audience, thread.audience)),
        ("Topic", thread.topic.name if thread.topic_id else "None"),
        ("Started", local_time(thread.created_at, zone)),
    ):
        pdf.text_block(f"{label}: {value}")
    pdf.ln(4)

    messages = (Message.objects.filter(thread=thread, deleted_at__isnull=True)
                .select_related("author").prefetch_related("attachments")
                .order_by("created_at", "id"))
    for message in messages:
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
        pdf.text_block(f"{_author(message)} — {local_time(message.created_at, zone)}", bold=True)
        if message.body:
            pdf.text_block(message.body)
        for attachment in message.attachments.all():
            pdf.text_block(f"Attachment: {attachment.name} ({_size(attachment.size)})")
        if message.seen_by_client_at is not None:
            pdf.set_text_color(90, 90, 90)
            pdf.text_block(f"Seen by the client {local_time(message.seen_by_client_at, zone)}",
                           size=9)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    return bytes(pdf.output())


def practice_zone(name: str) -> ZoneInfo:
    """The practice's time zone; UTC if its name is not one this system knows."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """"1 Dec 2026, 09:05 EST": the date and time where the practice is, with its zone."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _author(message) -> str:
    kind = AUTHORS.get(message.author_kind, message.author_kind.capitalize())
    if message.author is None:
        return kind
    return f"{message.author.display_name} ({kind})"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
