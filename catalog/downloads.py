"""Answers that hand a file to the browser, for every app: one way to name the file, whatever its
characters (RFC 6266's UTF-8 form, so Chinese names survive), and the workbook's content type."""

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """The response offered as a download named `filename`."""
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(content, content_type=XLSX), filename)
