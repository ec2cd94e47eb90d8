"""A minimal, fast webhook receiver for benches/webhooks.sh: asyncio, HTTP/1.1 keep-alive,
answers 204 to every POST, checks each signature (Standard Webhooks) and counts distinct
`webhook-id`s. Exits when it has seen the expected number, printing one JSON line of figures.

    python3 webhook_receiver.py PORT EXPECTED SECRET FIGURES_FILE
"""

import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time

port, expected, secret, figures = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
key = base64.b64decode(secret.removeprefix("whsec_"))
ids, requests, bad, first, last = set(), 0, 0, None, None
done = asyncio.Event()


async def handle(reader, writer):
    global requests, bad, first, last
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                if b":" in line:
                    name, value = line.split(b":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
            now = time.time()
            first = first or now
            last = now
            requests += 1
            msg_id, stamp = headers.get(b"webhook-id", b""), headers.get(b"webhook-timestamp", b"")
            mac = hmac.new(key, msg_id + b"." + stamp + b"." + body, hashlib.sha256).digest()
            if headers.get(b"webhook-signature", b"") != b"v1," + base64.b64encode(mac):
                bad += 1
            ids.add(msg_id)
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            await writer.drain()
            if len(ids) >= expected:
                done.set()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await done.wait()
        server.close()
    with open(figures, "w") as out:
        json.dump({"distinct": len(ids), "requests": requests, "bad_signatures": bad,
                   "first": first, "last": last}, out)


asyncio.run(main())
