"""Schemathesis hooks: supply the identifiers and vocabulary a valid request must refer to.

A JSON Schema can say that `organization_id` is a uuid and that an interest is a short string,
but not that the organisation exists or that the term is in the vocabulary; random values of
that shape are rightly refused, and the fuzzer would never get past that refusal. So, for cases
generated as *valid* only, these hooks swap such references for real ones read from the
running server (seeded with the demo data), and send the current ETag where an `If-Match` is
needed. Cases generated as *invalid* are left untouched, and one valid case in five keeps its
random identifier, so "no such thing" answers are still exercised. Nothing here relaxes a check.
"""

import datetime
import json
import os
import random
import uuid
import urllib.request

import schemathesis
from schemathesis.generation.modes import GenerationMode

BASE = os.environ["CONTRACT_BASE_URL"].rstrip("/")
KEY = os.environ["CONTRACT_API_KEY"]
KEEP_RANDOM = 0.2
random.seed(os.environ.get("CONTRACT_SEED", "0"))


def _call(method, path, body=None, key=KEY, headers=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response), response.headers


def _demo_data():
    assets, _ = _call("GET", "/v1/assets?limit=100")
    items = assets["items"]
    tree, _ = _call("GET", "/v1/interests")
    slugs = []

    def walk(nodes):
        for node in nodes:
            slugs.append(node["slug"])
            walk(node.get("children", []))

    walk(tree["terms"] if isinstance(tree, dict) and "terms" in tree else tree)
    organizations = sorted({a["organization"]["id"] for a in items})
    # Keys to revoke: made here, so that revoking them cannot lock the fuzzer out.
    keys = [
        _call("POST", f"/v1/organizations/{organizations[0]}/api-keys", {"name": f"fuzz {i}"})[0]["id"]
        for i in range(5)
    ]
    feed_places, _ = _call("GET", "/oruk/service_at_locations?per_page=100")
    taxonomies, _ = _call("GET", "/oruk/taxonomies")
    terms, _ = _call("GET", "/oruk/taxonomy_terms?per_page=100")
    # Imports of a feed whose name never resolves (RFC 2606): they fail at once and touch
    # nothing. (A feed on an internal address is refused outright.)
    imports = [
        _call("POST", "/v1/imports", {"url": "https://feeds.invalid/oruk"})[0]["id"] for _ in range(2)
    ]
    # Subscriptions to a host that cannot be reached from here: deliveries fail and are
    # retried, harmlessly.
    webhooks = [
        _call("POST", "/v1/webhooks", {"url": f"https://hooks.example.org/contract/{i}"})[0]["id"]
        for i in range(3)
    ]
    # OpenActive sources on a name that never resolves: the harvester's reads fail at once and
    # are retried later, harmlessly.
    source_body = {"name": "Contract check publisher", "licence": "https://creativecommons.org/licenses/by/4.0/",
                   "attribution": "Contract check data"}
    sources = [
        _call("POST", "/v1/sources", dict(source_body, feeds=[f"https://feeds.invalid/openactive/{i}"]))[0]["id"]
        for i in range(2)
    ]
    referrals = [
        _call("POST", "/v1/referrals", {"asset_id": items[i]["id"]})[0]["id"] for i in range(3)
    ]
    # Changes waiting for review: an organisation not yet trusted edits assets an admin has
    # published, so that turning them down has something to turn down.
    untrusted, _ = _call("POST", "/v1/organizations", {"name": "Contract check club", "trusted": False})
    agency, _ = _call("POST", f"/v1/organizations/{untrusted['id']}/api-keys", {"name": "contract", "role": "agency"})
    pending = []
    for i in range(10):
        listing = {"kind": "group", "title": f"Contract check group {i}", "online": True,
                   "interests": [slugs[i % len(slugs)]]}
        made, _ = _call("POST", "/v1/assets", listing, key=agency["secret"])
        _call("POST", f"/v1/assets/{made['id']}/publish")
        _call("PUT", f"/v1/assets/{made['id']}", dict(listing, title=f"Contract check group {i}, renamed"),
              key=agency["secret"], headers={"If-Match": "*"})
        pending.append(made["id"])
    return {
        "pending": pending,
        "webhooks": webhooks,
        "referrals": referrals,
        "places": [p["id"] for p in feed_places["contents"]],
        "taxonomies": [t["id"] for t in taxonomies["contents"]],
        "terms": [t["id"] for t in terms["contents"]],
        "imports": imports,
        "sources": sources,
        "assets": [a["id"] for a in items],
        "organizations": organizations,
        "venues": sorted({a["venue"]["id"] for a in items if a.get("venue")}),
        "postcodes": sorted({a["venue"]["postcode"] for a in items if a.get("venue") and a["venue"].get("postcode")}),
        "interests": slugs,
        "keys": keys,
        "collections": ["assets"],
    }


DATA = _demo_data()


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def _real(kind, value):
    return value if random.random() < KEEP_RANDOM else random.choice(DATA[kind])


def _current(asset_id):
    """The asset as stored and its ETag, or (None, None) when there is no such asset."""
    try:
        asset, headers = _call("GET", f"/v1/assets/{asset_id}")
        return asset, headers.get("ETag")
    except Exception:  # unknown: the request gets its own honest 404
        return None, None


PATH_KINDS = {
    "/v1/assets/{id}": "assets",
    "/v1/assets/{id}/confirm": "assets",
    "/v1/assets/{id}/publish": "assets",
    "/v1/assets/{id}/pending-change": "pending",
    "/v1/organizations/{id}": "organizations",
    "/v1/organizations/{id}/api-keys": "organizations",
    "/v1/organizations/{id}/assets": "organizations",
    "/v1/organizations/{id}/assets/by-external-id/{external_id}": "organizations",
    "/v1/sources/{id}": "sources",
    "/v1/sources/{id}/poll": "sources",
    "/v1/assets/{id}/sessions.ics": "assets",
    "/v1/venues/{id}": "venues",
    "/v1/api-keys/{id}": "keys",
    "/v1/imports/{id}": "imports",
    "/v1/webhooks/{id}": "webhooks",
    "/v1/referrals/{id}": "referrals",
    "/v1/webhooks/{id}/resume": "webhooks",
    "/v1/webhooks/{id}/deliveries": "webhooks",
    "/oruk/services/{id}": "assets",
    "/oruk/organizations/{id}": "organizations",
    "/oruk/service_at_locations/{id}": "places",
    "/oruk/taxonomies/{id}": "taxonomies",
    "/oruk/taxonomy_terms/{id}": "terms",
}


# A small square in Stretford, for service areas: JSON Schema cannot say that a ring ends where
# it starts or that every position lies in the UK and Ireland.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.32, 53.44], [-2.30, 53.44], [-2.30, 53.46], [-2.32, 53.46], [-2.32, 53.44]]],
}


def _ordered(pair_owner, low, high):
    """Swaps two bounds given the wrong way round ("must not be less than")."""
    if not isinstance(pair_owner, dict):
        return
    a, b = pair_owner.get(low), pair_owner.get(high)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b:
        pair_owner[low], pair_owner[high] = b, a


def _later(items, start, end):
    """Keeps only sessions or windows whose end is later than their start."""
    if not isinstance(items, list):
        return items
    return [i for i in items if not isinstance(i, dict) or i.get(end, "99") > i.get(start, "00")]


def _fix_venue(venue):
    """A venue is placed by `location`, or by a `postcode` the index knows, unless online."""
    if not isinstance(venue, dict):
        return
    if venue.get("location") is None and (venue.get("venue_type") != "online" or venue.get("postcode")):
        venue["postcode"] = random.choice(DATA["postcodes"])


def _fix_source(body):
    """`POST /v1/sources`: feeds on a name that never resolves (a feed on an internal address is
    refused, and JSON Schema cannot say "on the public internet"); an organisation that exists."""
    if isinstance(body.get("feeds"), list):
        body["feeds"] = [f"https://feeds.invalid/openactive/{uuid.uuid4()}" for _ in body["feeds"]] or [
            "https://feeds.invalid/openactive/first"
        ]
    if body.get("organization_id") is not None:
        body["organization_id"] = random.choice(DATA["organizations"])


def _fix_asset(body, method, asset):
    if method == "PUT":
        # It cannot change: send it as stored, or leave it out when the asset cannot be read
        # (archived assets answer 410).
        if asset:
            body["organization_id"] = asset["organization"]["id"]
        else:
            body.pop("organization_id", None)
    else:
        # The fuzzer's key is an admin key, which must say whose asset it submits.
        body["organization_id"] = random.choice(DATA["organizations"])
    if body.get("external_id") is not None:
        # An agency's own ids are its own: a new listing gets one no other listing has.
        body["external_id"] = str(uuid.uuid4())
    if body.get("venue_id") is not None:
        body["venue_id"] = random.choice(DATA["venues"])
        body.pop("venue", None)
    _fix_venue(body.get("venue"))
    if body.get("service_area") is not None:
        body["service_area"] = SQUARE
    if not (body.get("venue_id") or body.get("venue") or body.get("service_area") or body.get("online")):
        body["online"] = True
    terms = body.get("interests") or [None]
    body["interests"] = [random.choice(DATA["interests"]) for _ in terms]
    _ordered(body.get("eligibility"), "min_age", "max_age")
    _ordered(body.get("capacity"), "typical_group_size", "max_participants")
    cost = body.get("cost")
    if isinstance(cost, dict):
        if cost.get("free"):
            cost["amount_pence"] = cost["concession_pence"] = None
        else:
            if cost.get("amount_pence") == 0 and cost.get("free") is False:
                cost["free"] = None
            _ordered(cost, "concession_pence", "amount_pence")
        rules = cost.get("concessions")
        if isinstance(rules, list):
            amount = cost.get("amount_pence")
            for rule in rules:
                if not isinstance(rule, dict):
                    continue
                # A rule's price is at most the full price, its ages in order, and it says who.
                # (JSON Schema counts 150.0 as an integer, so floats come too.)
                price = rule.get("price_pence")
                if isinstance(amount, (int, float)) and isinstance(price, (int, float)):
                    rule["price_pence"] = min(price, amount)
                _ordered(rule, "min_age", "max_age")
                if not rule.get("who") and rule.get("min_age") is None and rule.get("max_age") is None:
                    rule["min_age"] = 60
    audience = body.get("audience")
    if isinstance(audience, dict) and audience.get("groups_only") and not audience.get("groups"):
        # Closed to everyone outside its groups needs a group.
        audience["groups_only"] = False
    schedule = body.get("schedule")
    if isinstance(schedule, dict):
        if "weekly" in schedule:
            schedule["weekly"] = _later(schedule["weekly"], "start", "end")
        for session in schedule.get("weekly") or []:
            if isinstance(session, dict):
                a, b = session.get("valid_from"), session.get("valid_until")
                if a and b and a > b:
                    session["valid_from"], session["valid_until"] = b, a
        if "dated" in schedule:
            schedule["dated"] = _later(schedule["dated"], "start", "end")


def _fix_search(query):
    """`GET /v1/assets`: a point is a postcode, or lat with lon; a radius needs a point; `to`
    is later than `from`; a cursor comes from a previous page; interests are vocabulary terms."""
    if query.get("postcode"):
        query["postcode"] = random.choice(DATA["postcodes"])
        query.pop("lat", None)
        query.pop("lon", None)
    if ("lat" in query) != ("lon" in query):
        query.pop("lat", None)
        query.pop("lon", None)
    if not (query.get("postcode") or "lat" in query):
        query.pop("radius_km", None)
    if query.get("from") and query.get("to") and query["to"] <= query["from"]:
        query.pop("to")
    query.pop("cursor", None)
    if query.get("bbox") is not None:
        lon, lat = random.uniform(-3.0, -0.5), random.uniform(53.0, 54.5)
        query["bbox"] = f"{lon:.4f},{lat:.4f},{lon + random.uniform(0.01, 1):.4f},{lat + random.uniform(0.01, 1):.4f}"
    if query.get("interest") is not None:
        many = query["interest"] if isinstance(query["interest"], list) else [query["interest"]]
        query["interest"] = [random.choice(DATA["interests"]) for _ in many]


def _fix_match(body):
    """`POST /v1/match`: a location is a postcode (one the index knows), or lat with lon;
    windows end after they start; strict availability needs windows; single-gender sessions
    are for the person's own gender."""
    location = body.get("location")
    if isinstance(location, dict):
        if location.get("postcode") or location.get("lat") is None or location.get("lon") is None:
            body["location"] = {"postcode": random.choice(DATA["postcodes"])}
    if "availability" in body:
        body["availability"] = _later(body["availability"], "from", "to")
    if body.get("availability_strict") and not body.get("availability"):
        body["availability_strict"] = False
    # Single-gender sessions are for the person's own gender.
    if (body.get("gender"), body.get("single_gender")) in (("man", "women_only"), ("woman", "men_only")):
        body.pop("single_gender")


def _fix_feed_query(query):
    """The ORUK feed's lists: a postcode the index knows; `proximity` only with a postcode."""
    if query.get("postcode"):
        query["postcode"] = random.choice(DATA["postcodes"])
    else:
        query.pop("proximity", None)


def _fix_import(body):
    """`POST /v1/imports`: a feed URL that fails at once (a public name that never resolves),
    so that fuzzing imports nothing; an organisation that exists."""
    body["url"] = "https://feeds.invalid/oruk"
    if body.get("organization_id") is not None:
        body["organization_id"] = random.choice(DATA["organizations"])


def _fix_webhook(body):
    """`POST /v1/webhooks`: a URL the server accepts (a public https host); a place the index
    knows, with a radius only beside it; an organisation that exists; vocabulary terms."""
    body["url"] = "https://hooks.example.org/contract"
    flt = body.get("filter")
    if not isinstance(flt, dict):
        return
    if flt.get("organization_id") is not None:
        flt["organization_id"] = random.choice(DATA["organizations"])
    if flt.get("near") is not None:
        flt["near"] = {"postcode": random.choice(DATA["postcodes"])}
    else:
        flt.pop("radius_km", None)
    if flt.get("interests"):
        flt["interests"] = [random.choice(DATA["interests"]) for _ in flt["interests"]]


def _listed_asset():
    """An asset still listed: the fuzzer archives some as it goes (DELETE)."""
    for _ in range(20):
        candidate = random.choice(DATA["assets"])
        if _current(candidate)[0] is not None:
            return candidate
    return candidate


def _fix_referral(body):
    """`POST /v1/referrals`: a listed asset; a date that has happened (JSON Schema cannot say
    "not in the future"); a barrier only with `stopped`."""
    body["asset_id"] = _listed_asset()
    body.pop("on", None)
    if body.get("outcome") != "stopped":
        body.pop("barrier", None)


def _fix_outcome(case, body):
    """`POST /v1/referrals/{id}/outcomes`: outcomes only move forward, so each valid case gets
    a referral of its own, just suggested, and a step that follows (even when a link supplied
    the id: the referral it names may have moved on already)."""
    # Suggested two months ago, so that even "kept going" (four weeks on) follows.
    suggested = (datetime.date.today() - datetime.timedelta(days=60)).isoformat()
    case.path_parameters["id"] = _call(
        "POST", "/v1/referrals", {"asset_id": _listed_asset(), "on": suggested}
    )[0]["id"]
    if body.get("outcome") == "suggested":
        body["outcome"] = "tried"
    body.pop("on", None)
    if body.get("outcome") != "stopped":
        body.pop("barrier", None)


@schemathesis.hook
def before_call(context, case, **kwargs):
    """Runs for every phase's cases just before they are sent (cases are generated ahead of
    running, and the requests in between change the assets, so ETags are read here)."""
    if not _positive(case):
        return
    path, method = case.operation.path, case.operation.method.upper()
    kind = PATH_KINDS.get(path)
    if kind and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = _real(kind, case.path_parameters["id"])
    if path.startswith("/ogc/collections/{collectionId}") and case.path_parameters:
        # One collection; a random name is the "no such collection" answer, tried one time in five.
        case.path_parameters["collectionId"] = _real("collections", case.path_parameters.get("collectionId"))
        if "featureId" in case.path_parameters:
            case.path_parameters["featureId"] = _real("assets", case.path_parameters["featureId"])
    if path == "/v1/map/tiles/{z}/{x}/{y}" and case.path_parameters:
        # JSON Schema cannot say that a tile's column and row are below 2^zoom.
        tile = case.path_parameters
        z = int(tile.get("z", 0)) % 21
        tile["z"], tile["x"], tile["y"] = z, int(tile.get("x", 0)) % (1 << z), int(tile.get("y", 0)) % (1 << z)
    asset = etag = None
    if path.startswith("/v1/assets/{id}"):
        asset, etag = _current(case.path_parameters["id"])
    if case.headers and "Idempotency-Key" in case.headers:
        # A client sends a new key with each new request (and the same one only on retries).
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    if case.headers and "If-Match" in case.headers:
        # An archived asset answers 410 Gone and shows no ETag; `*` matches it as it stands.
        case.headers["If-Match"] = etag or "*"
    body = case.body if isinstance(case.body, dict) else None
    if isinstance(case.query, dict):
        # A cursor comes from an earlier page of the same list (every list of ours has one).
        case.query.pop("cursor", None)
    if path in ("/v1/assets", "/v1/assets.geojson") and method == "GET" and isinstance(case.query, dict):
        _fix_search(case.query)
    elif path == "/ogc/collections/{collectionId}/items" and isinstance(case.query, dict):
        _fix_search(case.query)
    elif body is not None and path in ("/v1/assets", "/v1/assets/{id}"):
        _fix_asset(body, method, asset)
    elif body is not None and path == "/v1/organizations/{id}/assets/by-external-id/{external_id}":
        _fix_asset(body, "POST", None)
        # The organisation and the id come from the path; the body may only repeat them.
        body.pop("organization_id", None)
        body.pop("external_id", None)
    elif body is not None and path == "/v1/sources" and method == "POST":
        _fix_source(body)
    elif body is not None and path == "/v1/venues":
        _fix_venue(body)
    elif body is not None and path == "/v1/match":
        _fix_match(body)
    elif body is not None and path == "/v1/imports":
        _fix_import(body)
    elif body is not None and path == "/v1/webhooks":
        _fix_webhook(body)
    elif body is not None and path == "/v1/referrals":
        _fix_referral(body)
    elif body is not None and path == "/v1/referrals/{id}/outcomes":
        _fix_outcome(case, body)
    elif body is not None and path == "/v1/coverage" and method == "POST":
        # JSON Schema cannot say that a ring ends where it starts and lies in the UK.
        body["area"] = SQUARE
    elif path == "/v1/coverage" and method == "GET":
        # A centre is a postcode the index knows, or lat with lon (one of the two is required).
        if not isinstance(case.query, dict):
            case.query = {}
        query = case.query
        if query.get("postcode") is not None or not ("lat" in query and "lon" in query):
            query["postcode"] = random.choice(DATA["postcodes"])
            query.pop("lat", None)
            query.pop("lon", None)
    elif path in ("/oruk/services", "/oruk/service_at_locations") and isinstance(case.query, dict):
        _fix_feed_query(case.query)
