"""C2p, the persisted peer: a minimal Django project whose one app is the Channels tutorial chat
with each message saved to PostgreSQL through the ORM before it is sent to the room: what a user
would build instead of Cairn. Its own database (`bench_…_c2p`, created and migrated by the bench).

daphne -b 127.0.0.1 -p P bench.contestants.persisted.asgi:application
   with DJANGO_SETTINGS_MODULE=bench.contestants.persisted.settings, DATABASE_URL, BENCH_REDIS_URL
"""
