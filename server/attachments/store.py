"""Where attachment files live: Django's `STORAGES["attachments"]`, under random names."""

import secrets

from django.core.files import File
from django.core.files.storage import storages


def attachment_storage():
    return storages["attachments"]


def store_file(file) -> str:
    """Save the open binary `file` under a new random name; returns the name the storage used.
    Two hex characters of the name make a folder, so no folder grows too large."""
    token = secrets.token_hex(16)
    file.seek(0)
    return attachment_storage().save(f"{token[:2]}/{token}", File(file))


def remove_file(storage_name: str) -> None:
    attachment_storage().delete(storage_name)


def open_file(storage_name: str):
    """The stored file, open for reading in binary; FileNotFoundError when it is gone."""
    return attachment_storage().open(storage_name, "rb")
