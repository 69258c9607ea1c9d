"""The upload handler that stops a multipart upload once it passes the attachment limit."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the multipart boundaries and headers around one file.
MULTIPART_SLACK = 64 * 1024


def upload_too_large(request) -> bool:
    """Whether the request's upload was stopped for passing the limit."""
    return getattr(request, "_cairn_upload_too_large", False)


class CappedUploadHandler(FileUploadHandler):
    """Counts the bytes of each file as they arrive and stops the upload past
    ATTACHMENT_MAX_BYTES, so nothing larger is spooled or stored. It only counts: the
    memory and temporary-file handlers after it keep the data."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared_too_large = content_length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_SLACK

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.declared_too_large or self.received > settings.ATTACHMENT_MAX_BYTES:
            self.request._cairn_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
