"""Uploaded images and proofs checked before they are kept: a banner must really be a JPEG, PNG
or WebP picture of a sane size (Pillow opens and verifies it, the pixel count is capped against
decompression bombs) and is re-encoded, so nothing but pixels is stored — no EXIF position, no
script hidden after the image data. A proof may also be a PDF (its magic bytes checked)."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
PDF = ("pdf", "application/pdf")


def _too_large(upload: UploadedFile, field: str) -> None:
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationError(
            _("%(field)s: the file is over %(mb)s MB.") % {"field": field, "mb": MAX_BYTES >> 20},
            code="too_large",
        )


def clean_image(upload: UploadedFile, *, field: str) -> tuple[ContentFile, str]:
    """The picture re-encoded in its own format, and its content type; a ValidationError naming
    ``field`` for anything else."""
    _too_large(upload, field)
    data = upload.read()
    refused = ValidationError(
        _("%(field)s: not a JPEG, PNG or WebP picture.") % {"field": field}, code="not_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise refused
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("%(field)s: the picture is too large (%(w)s × %(h)s pixels).")
                    % {"field": field, "w": image.width, "h": image.height},
                    code="too_many_pixels",
                )
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise refused from None
    kind = str(image.format)
    extension, content_type = FORMATS[kind]
    out = io.BytesIO()
    pixels: Image.Image = image
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        pixels = image.convert("RGB")  # a CMYK JPEG is kept as RGB
    # Pillow writes back what it read into ``info`` (a JPEG's comment, EXIF, ICC profile):
    # emptied, only the pixels are encoded.
    pixels.info = {}
    pixels.save(out, format=kind)
    return ContentFile(out.getvalue(), name=f"image.{extension}"), content_type


def clean_proof(upload: UploadedFile, *, field: str) -> tuple[ContentFile, str]:
    """A proof: a picture (re-encoded as above) or a PDF."""
    _too_large(upload, field)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return ContentFile(upload.read(), name="proof.pdf"), PDF[1]
    try:
        return clean_image(upload, field=field)
    except ValidationError:
        raise ValidationError(
            _("%(field)s: give a picture (JPEG, PNG, WebP) or a PDF.") % {"field": field},
            code="not_proof",
        ) from None
