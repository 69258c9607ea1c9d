"""Loopback trial of the DEPLOY.md layout: sign in through nginx, open /ws/ through nginx, post on
the other daphne process directly, and see the event arrive over the proxied socket."""
import asyncio, json, http.cookiejar, urllib.request
import websockets

NGINX, OTHER = "http://127.0.0.1:8100", "http://127.0.0.1:8102"


def session(base, username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/api/auth/csrf")
    token = next(c.value for c in jar if c.name == "csrftoken")
    req = urllib.request.Request(base + "/api/auth/login", method="POST",
                                 data=json.dumps({"username": username, "password": "cairn-demo-2026"}).encode(),
                                 headers={"Content-Type": "application/json", "X-CSRFToken": token})
    opener.open(req)
    return opener, jar


def call(opener, jar, base, method, path, body=None):
    token = next(c.value for c in jar if c.name == "csrftoken")
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json", "X-CSRFToken": token})
    return json.loads(opener.open(req).read() or b"null")


async def main():
    sam, sam_jar = session(NGINX, "sam")
    cookie = "; ".join(f"{c.name}={c.value}" for c in sam_jar)
    dana, dana_jar = session(OTHER, "dana")
    async with websockets.connect("ws://127.0.0.1:8100/ws/", origin="http://127.0.0.1:8100",
                                  additional_headers={"Cookie": cookie}) as ws:
        hello = json.loads(await ws.recv())
        print("hello through nginx:", hello["type"], "badge", hello["badge"])
        created = call(dana, dana_jar, OTHER, "POST", "/api/threads",
                       {"audience": "administrative", "subject": "Trial", "body": "via the other process"})
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if frame["type"] == "message.created":
                print("received over nginx from the other process:", frame["message"]["body"],
                      "thread", frame["thread"]["id"] == created["thread"]["id"])
                break

asyncio.run(main())
