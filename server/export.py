"""A thread as a PDF: practice, client, audience, topic, subject, then each live message with the
names and sizes of its attachments (the files themselves stay out)."""

from pathlib import Path

from fpdf import FPDF

from server.models import Message

FONTS = Path(__file__).resolve().parent / "fonts"


def thread_pdf(thread) -> bytes:
    """The PDF bytes of `thread`; deleted messages are left out. Text is set as text, never markup."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Thread {thread.pk}")
    pdf.set_creator("Cairn")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, thread.subject, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    header = [
        ("Practice", thread.practice.name),
        ("Client", thread.client.name),
        ("Audience", thread.audience),
        ("Topic", thread.topic.name if thread.topic_id else "—"),
        ("Started", _when(thread.created_at)),
    ]
    for label, value in header:
        pdf.multi_cell(0, 5.5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    messages = (Message.objects.filter(thread=thread, deleted_at__isnull=True)
                .select_related("author").prefetch_related("attachments")
                .order_by("created_at", "id"))
    for message in messages:
        pdf.set_draw_color(200, 200, 200)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 10)
        who = f"{message.author.display_name} ({message.author_kind})"
        pdf.multi_cell(0, 5.5, f"{who} — {_when(message.created_at)}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        if message.body:
            pdf.multi_cell(0, 5.5, message.body, new_x="LMARGIN", new_y="NEXT")
        for attachment in message.attachments.all():
            pdf.multi_cell(0, 5.5, f"Attachment: {attachment.name} ({_size(attachment.size)})",
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
