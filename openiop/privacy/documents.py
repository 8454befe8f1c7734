# SPDX-License-Identifier: AGPL-3.0-or-later
"""Files that carry patient data: drawn signatures, scanned consent forms and
the PDFs the program renders (signed consents, release-of-information packets).

Everything that arrives is checked by its bytes, not its name: a signature is a
PNG of sensible size that is not blank; a scan is a PDF, PNG or JPEG under a
size limit. PDFs are rendered by WeasyPrint from a Django template with print
CSS, and rendering fetches nothing: only ``data:`` URLs (the signature image)
are read, any other URL stops the rendering.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
PDF_MAGIC = b"%PDF-"
SIGNATURE_DATA_URL_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 300_000
SIGNATURE_MIN_SIZE = (150, 50)
SIGNATURE_MAX_SIZE = (2000, 1000)
# A stroke of a few dozen pixels at least: a tap or a dot is not a signature.
SIGNATURE_MIN_INKED_PIXELS = 60
MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {PDF_MAGIC: ("pdf", "application/pdf"), PNG_MAGIC: ("png", "image/png"), JPEG_MAGIC: ("jpg", "image/jpeg")}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signature_png(data_url: str) -> bytes:
    """The PNG a signature pad posted as a data URL, checked: PNG bytes, under
    the size limit, of a signature's dimensions, with ink on it."""
    if not data_url.startswith(SIGNATURE_DATA_URL_PREFIX):
        raise ValidationError(_("The signature did not arrive as a PNG image; sign again."))
    encoded = data_url[len(SIGNATURE_DATA_URL_PREFIX) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError(_("The signature image is too large."))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature image is damaged; sign again.")) from None
    if not data.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature did not arrive as a PNG image; sign again."))
    _check_signature_image(data)
    return data


def _check_signature_image(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if not (SIGNATURE_MIN_SIZE[0] <= width <= SIGNATURE_MAX_SIZE[0]) or not (
                SIGNATURE_MIN_SIZE[1] <= height <= SIGNATURE_MAX_SIZE[1]
            ):
                raise ValidationError(
                    _("The signature image has unexpected dimensions (%(w)s×%(h)s).") % {"w": width, "h": height}
                )
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("The signature image is damaged; sign again.")) from None
    # Ink is any pixel that is neither transparent nor near white.
    from PIL import ImageChops

    opaque = rgba.getchannel("A").point(lambda alpha: 255 if alpha > 32 else 0)
    dark = rgba.convert("L").point(lambda level: 255 if level < 200 else 0)
    inked = ImageChops.multiply(opaque, dark).histogram()[255]
    if inked < SIGNATURE_MIN_INKED_PIXELS:
        raise ValidationError(_("The signature box is empty; ask the patient to sign."))


def scan_kind(data: bytes) -> tuple[str, str]:
    """(extension, content type) of a scanned form, read from its first bytes."""
    if not data:
        raise ValidationError(_("The scanned form is empty."))
    if len(data) > MAX_SCAN_BYTES:
        raise ValidationError(
            _("The scanned form is larger than %(mb)s MB; scan it at a lower resolution.")
            % {"mb": MAX_SCAN_BYTES // (1024 * 1024)}
        )
    for magic, kind in SCAN_TYPES.items():
        if data.startswith(magic):
            return kind
    raise ValidationError(_("Upload the scanned form as a PDF, PNG or JPEG file."))


def content_type_for(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}.get(
        extension, "application/octet-stream"
    )


def data_url(data: bytes, content_type: str = "image/png") -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _refusing_fetcher() -> Any:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Reads data: URLs; refuses the network and the disk."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise FatalURLFetchingError(f"Refused to fetch {url[:80]} while rendering a PDF")
            return super().fetch(url, headers)

    return DataOnlyFetcher(fail_on_errors=True)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render TEMPLATE_NAME (a full HTML page with its print CSS inline) to PDF.
    The template's <title> and <meta name="keywords"> become the PDF's title
    and keywords (where the security labels go)."""
    import weasyprint

    html = render_to_string(template_name, context)
    pdf: bytes = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=_refusing_fetcher()).write_pdf()
    return pdf
