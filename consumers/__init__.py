"""The live side: the /ws/ consumer, its codecs and routing, and the event fan-out."""
