"""Attachments: the upload cap, names, content sniffing and image cleaning, storage, access."""
