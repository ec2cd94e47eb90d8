#!/usr/bin/env python3
"""Load generator for scripts/soak (Python 3 standard library only).

C client threads, each with its own keep-alive connection to every instance, send requests in
turn to the K base URLs until the time is up. The mix, by share of requests:

  ~50% search   GET /v1/assets with varied filters near York and Trafford postcodes (and the
                next page of an earlier search now and then)
  ~25% match    POST /v1/match with varied people
  ~10% oruk     GET /oruk/services?page=N
  ~15% writes   one step at a time of an agency's edit: create (POST /v1/assets), replace (PUT
                with If-Match), confirm, archive (DELETE); some creates carry an Idempotency-Key
                and are sent twice to check the replay

Any status >= 500, any connection error and any status other than the one expected (an
unexpected 4xx) is an error; the first few are printed with their bodies. Every --sample-every
seconds, and at the start and end, the resident memory of each server process (VmRSS from
/proc/<pid>/status) and the requests so far are recorded. The summary is printed and written as
JSON to --out; the exit status is 1 when there were errors.

The admin key comes from the environment (SOAK_ADMIN_KEY), never the command line; with it the
script creates one trusted organisation and an agency key for the writes.
"""

import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
import uuid
from array import array
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

REQUEST_TIMEOUT_S = 30
# A keep-alive connection idle for longer than this may have been closed by the server; one
# failure to send on it is retried on a new connection instead of counted as an error.
IDLE_RETRY_AFTER_S = 2.0
ERRORS_SHOWN = 8
BODY_SHOWN = 600

# ---------------------------------------------------------------------------------------------
# Test data: from seed-data/ when it is there, else a small built-in set from the same areas.

FALLBACK_POSTCODES = [
    "M32 0JG", "M32 8AP", "M33 7ZF", "M41 0NA", "M16 9PQ", "WA14 2RS", "WA15 9EN", "M31 4FL",
    "YO10 5DD", "YO1 7DS", "YO23 1JU", "YO24 3BZ", "YO30 5SJ", "YO31 0HA", "YO32 9AF",
]
DISTRICTS = ["M32", "M33", "M41", "M16", "M31", "WA14", "WA15", "YO1", "YO10", "YO23", "YO24",
             "YO30", "YO31"]
SECTORS = ["M32 0", "M33 7", "M41 5", "WA14 2", "YO10 5", "YO24 3", "YO31 0"]
FALLBACK_POINTS = [(53.4557, -2.3028), (53.4235, -2.3186), (53.4478, -2.3532),
                   (53.3870, -2.3490), (53.9480, -1.0838), (53.9460, -1.0530),
                   (53.9600, -1.0870)]
FALLBACK_INTERESTS = ["sport", "football", "reading", "gardening", "tennis", "bowls", "swimming",
                      "knitting", "choir", "walking", "crafts", "learning", "libraries",
                      "fitness-and-exercise", "faith-and-spirituality", "allotment"]
PHRASES = ["playing guitar", "walking football", "meeting people", "singing", "art",
           "knitting", "reading", "maths", "english", "cooking", "gardening", "swimming",
           "yoga", "football", "bowls", "volunteering", "computers", "nature walks"]
WORDS = ["football", "fotball", "library", "reading group", "tennis", "choir", "allotment",
         "bowls", "knit", "swimming", "church", "walking", "cricket", "gym", "badminton",
         "golf", "craft", "college", "community centre", "park"]
KINDS = ["group", "volunteering", "course", "activity"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ACCESS = ["step_free_access", "wheelchair_accessible", "accessible_toilet", "hearing_loop",
          "quiet_space", "parking", "near_public_transport"]
BARRIERS = ["cost", "transport", "confidence", "stigma", "access", "timing", "caring"]
MODES = ["walk", "cycle", "public_transport", "car"]
VENUE_TYPES = ["library", "community_centre", "college", "sports_centre", "park",
               "place_of_worship", "cafe", "arts_venue", "other"]
WRITE_INTERESTS = ["walking football", "knitting", "reading", "gardening", "choir", "bowls",
                   "tennis", "crafts", "swimming", "football"]


def load_seed(root):
    postcodes, points, interests = [], [], []
    try:
        with open(os.path.join(root, "seed-data/demo/venues.json"), encoding="utf-8") as f:
            for v in json.load(f):
                if v.get("postcode"):
                    postcodes.append(v["postcode"])
                loc = v.get("location") or {}
                if loc.get("lat") is not None and loc.get("lon") is not None:
                    points.append((loc["lat"], loc["lon"]))
        with open(os.path.join(root, "seed-data/demo/assets.json"), encoding="utf-8") as f:
            counts = {}
            for a in json.load(f):
                for i in a.get("interests") or []:
                    counts[i] = counts.get(i, 0) + 1
            interests = [k for k, _ in sorted(counts.items(), key=lambda kv: -kv[1])][:40]
    except (OSError, ValueError):
        pass
    return (sorted(set(postcodes)) or FALLBACK_POSTCODES, points or FALLBACK_POINTS,
            interests or FALLBACK_INTERESTS)


# ---------------------------------------------------------------------------------------------
# Request generators


class Data:
    def __init__(self, root):
        self.postcodes, self.points, self.interests = load_seed(root)

    def postcode(self, rng):
        r = rng.random()
        if r < 0.75:
            return rng.choice(self.postcodes)
        if r < 0.9:
            return rng.choice(DISTRICTS)
        return rng.choice(SECTORS)

    def point(self, rng):
        lat, lon = rng.choice(self.points)
        return round(lat + rng.uniform(-0.01, 0.01), 6), round(lon + rng.uniform(-0.015, 0.015), 6)

    def search_query(self, rng):
        """Query pairs for GET /v1/assets and whether to ask for GeoJSON."""
        q = []
        r = rng.random()
        has_point = False
        if r < 0.55:
            q.append(("postcode", self.postcode(rng)))
            has_point = True
        elif r < 0.68:
            lat, lon = self.point(rng)
            q += [("lat", str(lat)), ("lon", str(lon))]
            has_point = True
        elif r < 0.78:
            lat, lon = self.point(rng)
            d = rng.choice([0.02, 0.05, 0.1])
            q.append(("bbox", f"{lon - d * 1.6:.4f},{lat - d:.4f},{lon + d * 1.6:.4f},{lat + d:.4f}"))
        if has_point and rng.random() < 0.6:
            q.append(("radius_km", str(rng.choice([1, 1.5, 2, 3, 5, 8, 10, 20]))))
        if rng.random() < 0.4:
            for i in rng.sample(self.interests[:25], rng.choice([1, 1, 2])):
                q.append(("interest", i))
        if rng.random() < 0.25 or not q:
            q.append(("q", rng.choice(WORDS)))
        if rng.random() < 0.2:
            for k in rng.sample(KINDS, rng.choice([1, 2])):
                q.append(("kind", k))
        if rng.random() < 0.1:
            q.append(("free", "true"))
        elif rng.random() < 0.06:
            q.append(("max_cost_pence", str(rng.choice([0, 200, 300, 500, 1000]))))
            if rng.random() < 0.5:
                q.append(("concessions", "true"))
        if rng.random() < 0.1:
            q.append(("day", rng.choice(DAYS)))
            if rng.random() < 0.5:
                start = rng.choice([9, 10, 13, 17, 18])
                q += [("from", f"{start:02d}:00"), ("to", f"{start + 3:02d}:00")]
        if rng.random() < 0.05:
            q.append(("age", str(rng.randint(16, 85))))
        if rng.random() < 0.05:
            q.append(("access", rng.choice(ACCESS)))
        if rng.random() < 0.05:
            q.append(("non_stigmatised", "true"))
        if rng.random() < 0.05:
            q.append(("include_online", "true"))
        if rng.random() < 0.03:
            q.append(("confirmed_within_days", str(rng.choice([30, 365, 3650]))))
        if rng.random() < 0.4:
            q.append(("limit", str(rng.choice([5, 10, 20, 50, 100]))))
        geojson = rng.random() < 0.07
        return q, geojson

    def match_body(self, rng, seen_ids):
        body = {}
        if rng.random() < 0.8:
            body["location"] = {"postcode": self.postcode(rng)}
        else:
            lat, lon = self.point(rng)
            body["location"] = {"lat": lat, "lon": lon}
        n = rng.choice([0, 1, 1, 2, 2, 3])
        if n:
            pool = PHRASES + self.interests[:20]
            body["interests"] = rng.sample(pool, n)
        r = rng.random()
        if r < 0.7:
            body["travel"] = {"mode": rng.choice(MODES),
                              "max_minutes": rng.choice([10, 15, 20, 30, 45, 60])}
        elif r < 0.85:
            body["travel"] = {"max_km": rng.choice([0.5, 1, 2, 3, 5, 10])}
        if rng.random() < 0.5:
            body["budget"] = {"max_pence_per_session": rng.choice([0, 150, 300, 500, 1000]),
                              "concessions": rng.random() < 0.5}
        if rng.random() < 0.5:
            windows = []
            for day in rng.sample(DAYS, rng.choice([1, 2, 3])):
                start = rng.choice([9, 10, 12, 13, 17, 18])
                windows.append({"day": day, "from": f"{start:02d}:00",
                                "to": f"{start + rng.choice([2, 3, 4]):02d}:00"})
            body["availability"] = windows
            if rng.random() < 0.2:
                body["availability_strict"] = True
        if rng.random() < 0.5:
            body["age"] = rng.randint(18, 85)
        if rng.random() < 0.3:
            body["barriers"] = rng.sample(BARRIERS, rng.choice([1, 2]))
        if rng.random() < 0.1:
            body["access_needs"] = rng.sample(ACCESS, 1)
        if rng.random() < 0.2:
            body["kinds"] = rng.sample(KINDS, rng.choice([1, 2, 3]))
        if rng.random() < 0.1:
            body["include_online"] = True
        if rng.random() < 0.1:
            body["prefer_non_stigmatised"] = False
        if seen_ids and rng.random() < 0.15:
            body["exclude_asset_ids"] = rng.sample(seen_ids, min(len(seen_ids), rng.choice([1, 3])))
        if rng.random() < 0.7:
            body["limit"] = rng.choice([3, 5, 10, 20])
        return body

    def asset_body(self, rng, label):
        lat, lon = self.point(rng)
        day = rng.choice(DAYS)
        start = rng.choice([10, 13, 18])
        body = {
            "kind": rng.choice(KINDS),
            "title": f"Soak test session {label}",
            "description": "Written by scripts/soak: a load test's listing, archived again at once.",
            "venue": {
                "name": f"Soak test hall {label}",
                "address_lines": ["1 Test Street"],
                "town": "Sale" if lon < -2 else "York",
                "postcode": rng.choice(self.postcodes),
                "location": {"lat": lat, "lon": lon},
                "venue_type": rng.choice(VENUE_TYPES),
                "accessibility": rng.sample(ACCESS, rng.choice([0, 1, 2])),
            },
            "interests": rng.sample(WRITE_INTERESTS, rng.choice([1, 2])),
            "five_ways": rng.sample(["connect", "be_active", "take_notice", "keep_learning",
                                     "give"], 2),
            "schedule": {"weekly": [{"day": day, "start": f"{start:02d}:00",
                                     "end": f"{start + 2:02d}:00"}]},
            "newcomers": {"drop_in": True, "meet_and_greet": rng.random() < 0.5},
        }
        if rng.random() < 0.5:
            body["cost"] = {"amount_pence": 300, "concession_pence": 150}
        else:
            body["cost"] = {"free": True}
        if rng.random() < 0.3:
            body["eligibility"] = {"min_age": 18}
        return body

    def replacement(self, rng, created, label):
        venue_id = (created.get("venue") or {}).get("id")
        body = {
            "kind": created.get("kind") or "group",
            "title": f"Soak test session {label} (changed)",
            "online": False,
            "interests": rng.sample(WRITE_INTERESTS, rng.choice([1, 2, 3])),
            "cost": {"free": True},
            "schedule": {"weekly": [{"day": rng.choice(DAYS), "start": "14:00", "end": "15:30"}]},
        }
        if venue_id:
            body["venue_id"] = venue_id
        return body


# ---------------------------------------------------------------------------------------------
# Shared state


class Stats:
    def __init__(self, instances):
        self.lock = threading.Lock()
        self.latency = {}  # kind -> array('d') of milliseconds
        self.status = {}  # kind -> {status: count}
        self.errors = {}  # kind -> count
        self.first_errors = []
        self.per_instance = [0] * instances
        self.total = 0
        self.stale_retries = 0
        self.flows_completed = 0
        self.replays_checked = 0
        self.writes_without_token = 0

    def record(self, kind, instance, status, ms):
        with self.lock:
            self.latency.setdefault(kind, array("d")).append(ms)
            by = self.status.setdefault(kind, {})
            by[str(status)] = by.get(str(status), 0) + 1
            self.per_instance[instance] += 1
            self.total += 1

    def error(self, kind, detail):
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            n = sum(self.errors.values())
            if len(self.first_errors) < ERRORS_SHOWN:
                self.first_errors.append(detail)
                show = True
            else:
                show = False
        if show:
            print(f"ERROR #{n} [{kind}] {detail.get('method')} {detail.get('url')}: "
                  f"{detail.get('status') or detail.get('error')}\n  {detail.get('body', '')}",
                  file=sys.stderr, flush=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name):
        return self.headers.get(name.lower())


class Client(threading.Thread):
    def __init__(self, index, bases, data, stats, deadline, stop, agency_key, seed):
        super().__init__(name=f"client-{index}", daemon=True)
        self.index = index
        self.bases = bases
        self.data = data
        self.stats = stats
        self.deadline = deadline
        self.stop = stop
        self.agency_key = agency_key
        self.rng = random.Random(seed)
        self.conns = [None] * len(bases)
        self.last_used = [0.0] * len(bases)
        self.turn = index  # round-robin over the instances, clients staggered
        self.cursor_query = None  # the next page of an earlier search, to fetch next
        self.seen_ids = []
        self.token = None  # Consistency-Token of this client's last write
        self.flow = None  # the agency edit in progress
        self.flows = 0

    # -- HTTP -----------------------------------------------------------------------------

    def conn(self, i):
        if self.conns[i] is None:
            host, port = self.bases[i]
            self.conns[i] = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
        return self.conns[i]

    def drop(self, i):
        if self.conns[i] is not None:
            try:
                self.conns[i].close()
            except OSError:
                pass
            self.conns[i] = None

    def send(self, kind, method, path, body=None, headers=None, expect=(200,), instance=None):
        """One request; returns a Response, or None after an error (already counted)."""
        i = self.turn % len(self.bases) if instance is None else instance
        if instance is None:
            self.turn += 1
        hdrs = {"Accept": "application/json"}
        if headers:
            hdrs.update(headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        host, port = self.bases[i]
        url = f"http://{host}:{port}{path}"
        for attempt in (1, 2):
            idle = time.monotonic() - self.last_used[i]
            reused = self.conns[i] is not None
            t0 = time.perf_counter()
            try:
                c = self.conn(i)
                c.request(method, path, body=payload, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                ms = (time.perf_counter() - t0) * 1000.0
                self.last_used[i] = time.monotonic()
                if r.will_close:
                    self.drop(i)
            except (OSError, http.client.HTTPException) as e:
                self.drop(i)
                stale = isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError,
                                       BrokenPipeError))
                if attempt == 1 and reused and stale and idle > IDLE_RETRY_AFTER_S:
                    with self.stats.lock:
                        self.stats.stale_retries += 1
                    continue
                self.stats.error(kind, {"kind": kind, "method": method, "url": url,
                                        "error": f"{type(e).__name__}: {e}",
                                        "after_ms": round((time.perf_counter() - t0) * 1000, 1)})
                return None
            break
        resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        self.stats.record(kind, i, r.status, ms)
        if method != "GET" and path != "/v1/match" and 200 <= r.status < 300 \
                and "consistency-token" not in resp.headers:
            with self.stats.lock:
                self.stats.writes_without_token += 1
        if r.status not in expect:
            self.stats.error(kind, {"kind": kind, "method": method, "url": url,
                                    "status": r.status,
                                    "request": body if body is not None else None,
                                    "body": data[:BODY_SHOWN].decode("utf-8", "replace")})
            return None
        return resp

    def read_headers(self):
        return {"Consistency-Token": self.token} if self.token else {}

    # -- the mix --------------------------------------------------------------------------

    def search(self):
        if self.cursor_query is not None:
            path, self.cursor_query = self.cursor_query, None
            self.send("search_next_page", "GET", path, headers=self.read_headers())
            return
        pairs, geojson = self.data.search_query(self.rng)
        path = "/v1/assets?" + urlencode(pairs)
        headers = self.read_headers()
        if geojson:
            headers["Accept"] = "application/geo+json"
        r = self.send("search", "GET", path, headers=headers)
        if r is None or geojson:
            return
        page = r.json()
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            self.stats.error("search", {"kind": "search", "method": "GET", "url": path,
                                        "status": r.status, "error": "not a page of items",
                                        "body": r.body[:BODY_SHOWN].decode("utf-8", "replace")})
            return
        for item in page["items"][:3]:
            if isinstance(item, dict) and item.get("id") and len(self.seen_ids) < 50:
                self.seen_ids.append(item["id"])
        if page.get("next_cursor") and self.rng.random() < 0.25:
            self.cursor_query = "/v1/assets?" + urlencode(pairs + [("cursor", page["next_cursor"])])

    def match(self):
        body = self.data.match_body(self.rng, self.seen_ids)
        r = self.send("match", "POST", "/v1/match", body=body, headers=self.read_headers())
        if r is None:
            return
        doc = r.json()
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
            self.stats.error("match", {"kind": "match", "method": "POST", "url": "/v1/match",
                                       "status": r.status, "error": "no results list",
                                       "body": r.body[:BODY_SHOWN].decode("utf-8", "replace")})

    def oruk(self):
        per_page = self.rng.choice([10, 25, 50])
        page = self.rng.randint(1, max(1, 520 // per_page + 1))
        q = [("page", page), ("per_page", per_page)]
        if self.rng.random() < 0.1:
            q += [("postcode", self.data.postcode(self.rng)), ("proximity", 3000)]
        self.send("oruk", "GET", "/oruk/services?" + urlencode(q), headers=self.read_headers())

    def write_step(self):
        """One request of this client's agency edit: create → replace → confirm → archive."""
        auth = {"Authorization": f"Bearer {self.agency_key}"}
        f = self.flow
        if f is None:
            label = f"{self.index}-{self.flows + 1}"
            body = self.data.asset_body(self.rng, label)
            headers = dict(auth)
            idem = None
            if self.rng.random() < 0.2:
                idem = str(uuid.uuid4())
                headers["Idempotency-Key"] = idem
            r = self.send("create", "POST", "/v1/assets", body=body, headers=headers,
                          expect=(201,))
            if r is None:
                return
            created = r.json() or {}
            etag = r.header("etag")
            if not created.get("id") or not etag:
                self.stats.error("create", {"kind": "create", "method": "POST",
                                            "url": "/v1/assets", "status": r.status,
                                            "error": "no id or no ETag",
                                            "body": r.body[:BODY_SHOWN].decode("utf-8", "replace")})
                return
            self.token = r.header("consistency-token") or self.token
            self.flow = {"step": "replace", "id": created["id"], "etag": etag,
                         "created": created, "label": label}
            if idem and self.rng.random() < 0.5:
                self.flow["replay"] = (idem, body)
            return
        aid = f["id"]
        if "replay" in f:
            idem, body = f.pop("replay")
            headers = dict(auth, **{"Idempotency-Key": idem})
            r = self.send("create_replay", "POST", "/v1/assets", body=body, headers=headers,
                          expect=(201,))
            if r is None:
                self.flow = None
                return
            again = r.json() or {}
            if again.get("id") != aid or (r.header("idempotent-replayed") or "").lower() != "true":
                self.stats.error("create_replay", {
                    "kind": "create_replay", "method": "POST", "url": "/v1/assets",
                    "status": r.status,
                    "error": f"replay gave id {again.get('id')} (first {aid}), "
                             f"Idempotent-Replayed: {r.header('idempotent-replayed')}",
                    "body": r.body[:200].decode("utf-8", "replace")})
            else:
                with self.stats.lock:
                    self.stats.replays_checked += 1
            return
        step = f["step"]
        if step == "replace":
            body = self.data.replacement(self.rng, f["created"], f["label"])
            r = self.send("replace", "PUT", f"/v1/assets/{aid}", body=body,
                          headers=dict(auth, **{"If-Match": f["etag"]}))
            if r is None:
                self.flow = None
                return
            doc = r.json() or {}
            if not doc.get("title", "").endswith("(changed)"):
                self.stats.error("replace", {"kind": "replace", "method": "PUT",
                                             "url": f"/v1/assets/{aid}", "status": r.status,
                                             "error": "title not replaced",
                                             "body": r.body[:BODY_SHOWN].decode("utf-8", "replace")})
            f["etag"] = r.header("etag") or (f'"{doc["version"]}"' if "version" in doc else None)
            self.token = r.header("consistency-token") or self.token
            f["step"] = "confirm"
        elif step == "confirm":
            headers = dict(auth)
            if f.get("etag"):
                headers["If-Match"] = f["etag"]
            r = self.send("confirm", "POST", f"/v1/assets/{aid}/confirm", headers=headers)
            if r is None:
                self.flow = None
                return
            doc = r.json() or {}
            if not doc.get("confirmed_at"):
                self.stats.error("confirm", {"kind": "confirm", "method": "POST",
                                             "url": f"/v1/assets/{aid}/confirm",
                                             "status": r.status, "error": "no confirmed_at",
                                             "body": r.body[:BODY_SHOWN].decode("utf-8", "replace")})
            f["etag"] = r.header("etag") or (f'"{doc["version"]}"' if "version" in doc else None)
            self.token = r.header("consistency-token") or self.token
            f["step"] = "archive"
        else:
            headers = dict(auth)
            if f.get("etag"):
                headers["If-Match"] = f["etag"]
            r = self.send("archive", "DELETE", f"/v1/assets/{aid}", headers=headers)
            self.flow = None
            if r is None:
                return
            self.token = r.header("consistency-token") or self.token
            self.flows += 1
            with self.stats.lock:
                self.stats.flows_completed += 1

    def run(self):
        mix = ((0.50, self.search), (0.75, self.match), (0.85, self.oruk), (1.0, self.write_step))
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            r = self.rng.random()
            for edge, action in mix:
                if r < edge:
                    action()
                    break
        for i in range(len(self.conns)):
            self.drop(i)


# ---------------------------------------------------------------------------------------------
# Set-up, sampling, summary


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def admin_call(base, key, method, path, body):
    host, port = base
    c = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
    try:
        c.request(method, path, body=json.dumps(body).encode(),
                  headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                           "Accept": "application/json"})
        r = c.getresponse()
        data = r.read()
    finally:
        c.close()
    if r.status != 201:
        sys.exit(f"soak_load: {method} {path} answered {r.status}: {data[:BODY_SHOWN]!r}")
    return json.loads(data)


def percentiles(values):
    if not values:
        return {"count": 0}
    s = sorted(values)

    def at(p):
        return round(s[min(len(s) - 1, max(0, int(-(-p * len(s) // 100)) - 1))], 2)

    return {"count": len(s), "mean": round(sum(s) / len(s), 2), "p50": at(50), "p90": at(90),
            "p99": at(99), "max": round(s[-1], 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--urls", required=True, help="base URLs, comma-separated")
    ap.add_argument("--pids", default="", help="server process ids, in the order of --urls")
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--sample-every", type=float, default=30)
    ap.add_argument("--out", default="target/soak.json")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."),
                    help="repository root, for seed-data/")
    args = ap.parse_args()

    bases = []
    for u in args.urls.split(","):
        p = urlsplit(u.strip())
        if p.scheme != "http" or not p.hostname:
            sys.exit(f"soak_load: not an http:// base URL: {u}")
        bases.append((p.hostname, p.port or 80))
    pids = [int(p) for p in args.pids.split(",") if p.strip()]
    if pids and len(pids) != len(bases):
        sys.exit("soak_load: give one pid per URL")
    admin_key = os.environ.get("SOAK_ADMIN_KEY")
    if not admin_key:
        sys.exit("soak_load: SOAK_ADMIN_KEY (an admin API key) is not set")
    seed = args.seed if args.seed is not None else int(time.time())

    data = Data(args.root)
    org = admin_call(bases[0], admin_key, "POST", "/v1/organizations",
                     {"name": f"Soak test agency {seed}", "trusted": True,
                      "description": "Created by scripts/soak for a load test."})
    key = admin_call(bases[-1], admin_key, "POST", f"/v1/organizations/{org['id']}/api-keys",
                     {"name": "soak agency"})
    agency_key = key["secret"]

    stats = Stats(len(bases))
    stop = threading.Event()
    samples = []

    def sample(t0):
        rss = [rss_kb(p) for p in pids]
        with stats.lock:
            total = stats.total
            errors = sum(stats.errors.values())
        s = {"t_s": round(time.monotonic() - t0, 1), "requests": total, "errors": errors,
             "rss_kb": rss}
        samples.append(s)
        mem = " ".join(f"{r / 1024:.1f}" if r is not None else "gone" for r in rss)
        rate = total / s["t_s"] if s["t_s"] > 0 else 0.0
        print(f"[{s['t_s']:7.1f} s] {total} requests ({rate:.0f}/s), {errors} errors"
              + (f", RSS MB: {mem}" if rss else ""), flush=True)
        return s

    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    t0 = time.monotonic()
    sample(t0)
    deadline = t0 + args.seconds
    clients = [Client(i, bases, data, stats, deadline, stop, agency_key, seed * 1000 + i)
               for i in range(args.clients)]
    for c in clients:
        c.start()
    next_sample = t0 + args.sample_every
    try:
        while any(c.is_alive() for c in clients):
            now = time.monotonic()
            if now >= next_sample:
                sample(t0)
                next_sample += args.sample_every
            # Bounded: requests time out after REQUEST_TIMEOUT_S, so clients end by then.
            if now > deadline + REQUEST_TIMEOUT_S + 5:
                print("soak_load: clients did not stop; giving up on them", file=sys.stderr)
                stop.set()
                break
            time.sleep(min(0.5, max(0.05, next_sample - now)))
    except KeyboardInterrupt:
        print("soak_load: interrupted; summarising what ran", file=sys.stderr)
        stop.set()
        for c in clients:
            c.join(REQUEST_TIMEOUT_S + 1)
    elapsed = time.monotonic() - t0
    end = sample(t0)

    with stats.lock:
        all_ms = array("d")
        for v in stats.latency.values():
            all_ms.extend(v)
        by_kind = {k: len(v) for k, v in sorted(stats.latency.items())}
        errors = sum(stats.errors.values())
        dead = [i for i, r in enumerate(end["rss_kb"]) if r is None]
        summary = {
            "started_at": started_at,
            "duration_s": round(elapsed, 1),
            "instances": len(bases),
            "clients": args.clients,
            "base_urls": [f"http://{h}:{p}" for h, p in bases],
            "seed": seed,
            "requests": {"total": stats.total, "by_kind": by_kind,
                         "by_instance": stats.per_instance},
            "throughput_rps": round(stats.total / elapsed, 1) if elapsed else 0.0,
            "errors": {"count": errors + len(dead), "by_kind": dict(sorted(stats.errors.items())),
                       "instances_gone": dead, "first": stats.first_errors},
            "status_counts": {k: dict(sorted(v.items())) for k, v in sorted(stats.status.items())},
            "latency_ms": {"overall": percentiles(all_ms),
                           "by_kind": {k: percentiles(v) for k, v in sorted(stats.latency.items())}},
            "write_flows_completed": stats.flows_completed,
            "idempotent_replays_checked": stats.replays_checked,
            "stale_connection_retries": stats.stale_retries,
            "writes_without_consistency_token": stats.writes_without_token,
            "rss_kb": [{"url": f"http://{h}:{p}",
                        "pid": pids[i] if pids else None,
                        "start": samples[0]["rss_kb"][i] if pids else None,
                        "samples": [{"t_s": s["t_s"], "rss_kb": s["rss_kb"][i]} for s in samples]
                        if pids else [],
                        "end": end["rss_kb"][i] if pids else None}
                       for i, (h, p) in enumerate(bases)],
            "samples": samples,
        }

    print()
    print(f"{'kind':<18}{'answered':>9}{'errors':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}")
    rows = list(summary["latency_ms"]["by_kind"].items()) + [("overall", summary["latency_ms"]["overall"])]
    for k, p in rows:
        errs = errors if k == "overall" else stats.errors.get(k, 0)
        print(f"{k:<18}{p.get('count', 0):>9}{errs:>8}{p.get('p50', 0):>9}{p.get('p90', 0):>9}"
              f"{p.get('p99', 0):>9}{p.get('max', 0):>9}")
    print(f"\n{summary['requests']['total']} requests in {summary['duration_s']} s: "
          f"{summary['throughput_rps']} req/s over {len(bases)} instances and {args.clients} clients; "
          f"{summary['write_flows_completed']} agency edits completed; "
          f"{summary['errors']['count']} errors")
    for r in summary["rss_kb"]:
        if r["pid"]:
            start = r["start"] / 1024 if r["start"] else float("nan")
            endv = r["end"] / 1024 if r["end"] else float("nan")
            print(f"  {r['url']} (pid {r['pid']}): RSS {start:.1f} MB at start, {endv:.1f} MB at end")

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(f"\nsummary written to {args.out}\n")
    print(json.dumps(summary, indent=2))
    return 1 if summary["errors"]["count"] else 0


if __name__ == "__main__":
    sys.exit(main())
