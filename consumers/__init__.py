"""The socket side of the live inbox: the /ws/ consumer, its codecs and routing, the per-process
hub and the socket's own database reads. Recording, rendering and publishing events live in
`server/live/`."""
