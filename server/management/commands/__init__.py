"""demo, serve and load_practice (SPEC §3 "Commands")."""
