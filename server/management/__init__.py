"""Cairn's management commands, run as python -m server <command>."""
