"""The contestants by name: `make("C3")` and the rest (see `bench.peers` and `bench.cairn`)."""

from bench.cairn import LAYERS as CAIRN_LAYERS, Cairn, Scaled
from bench.peers import Ceiling, Floor, Persisted, Stock

NAMES = ("C1", "C1d", "C2", "C2s", "C2p", "C3", "C3b", "C3m", "C3n")


def make(name: str, *, tabs_per_user: int = 1):
    """A fresh contestant `name`; Cairn's recipients are `tabs_per_user` tabs per user."""
    if name in CAIRN_LAYERS:
        return Cairn(name, tabs_per_user)
    if name == "C3n":
        return Scaled(name, tabs_per_user)
    return {"C1": Ceiling, "C1d": Floor, "C2": lambda: Stock("C2", "list"),
            "C2s": lambda: Stock("C2s", "pubsub"), "C2p": Persisted}[name]()
