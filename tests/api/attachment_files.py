"""Small files of every kind the attachment tests upload, made on the fly."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_LATITUDE = (52.0, 22.0, 1.0)
CAMERA = "Phone Maker Inc"

_OOXML = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Override PartName="/{part}" ContentType="{type}"/></Types>')
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def image(fmt="PNG", size=(40, 20), orientation=None, gps=True) -> bytes:
    """An image; with `gps`, EXIF naming a camera and a place (and an orientation if given)."""
    exif = Image.Exif()
    if gps:
        exif[0x010F] = CAMERA
        exif[0x8825] = {1: "N", 2: GPS_LATITUDE}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def office(part="word/document.xml", main=WORD_MAIN, extra=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if main is not None:
            archive.writestr("[Content_Types].xml", _OOXML.format(part=part, type=main))
        archive.writestr(part, "<document/>")
        for name in extra:
            archive.writestr(name, "x")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(api, name, data, content_type="application/octet-stream"):
    """POST /api/attachments with one file as a browser sends it."""
    return api.http.post("/api/attachments",
                         {"file": SimpleUploadedFile(name, data, content_type=content_type)})


def uploaded(api, name="card.png", data=None, content_type="image/png") -> dict:
    r = upload(api, name, image() if data is None else data, content_type)
    assert r.status_code == 201, r.content
    return r.json()
