"""Cairn's own commands (demo, serve, load_practice, ...), besides Django's."""
