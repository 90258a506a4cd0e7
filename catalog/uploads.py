"""Uploads are refused while they arrive, before they are stored: the import's size limit, once.

`BoundedUploadHandler` runs first among Django's upload handlers. A request
whose stated length is already over the limit stops at its first file, before
any handler opens a temporary file; otherwise a file stops as soon as its bytes
pass the limit, and the temporary file written so far is closed, which deletes
it. The view asks `upload_refused(request)` and answers with the message.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .imports.reading import MAX_FILE_BYTES

# A form's other fields and the multipart framing around a file of the largest size.
REQUEST_ALLOWANCE = 64 * 1024
REFUSED = "_upload_refused"


def upload_limit_message() -> str:
    return f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限。"


def upload_refused(request) -> bool:
    """Whether the request's file was refused; ask after reading `request.POST` or `request.FILES`."""
    return getattr(request, REFUSED, False)


class BoundedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > MAX_FILE_BYTES + REQUEST_ALLOWANCE
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.too_large:
            self.refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_FILE_BYTES:
            self.refuse()
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler stores the file

    def refuse(self):
        setattr(self.request, REFUSED, True)
        # The rest of the body is not read: a proxy in front has taken it already,
        # and a client sending directly gets its answer without waiting for it.
        raise StopUpload(connection_reset=True)
