#!/usr/bin/env python3
"""Build the demo directory (seed-data/demo/*.json) from the real open data in ../shared/data.

Run from the repository root:

    python3 scripts/build_seed_data.py [--shared ../shared]

Standard library only and deterministic: the same inputs always give byte-identical output.
The service never reads ../shared at run time; the JSON written here is committed, and this
script is kept so the conversion can be repeated and reviewed. See seed-data/README.md for the
sources, licences, attribution text and the derivation rules implemented below.

Rules (from the brief; see README):
  * fields a source lacks stay null/empty; nothing is invented except the clearly marked
    example listings at the bottom of this file (source "example", example true);
  * real opening / staffed hours become weekly sessions; unparseable ones are skipped and counted;
  * ids are uuid5(NAMESPACE, f"{source}:{source_id}");
  * interest phrases are resolved against seed-data/vocabulary.json and the term slug is written;
  * an "audience" object (who a session is for) only where a club's name or the source says so,
    and on the example listings; assets without one are open to everyone.
"""

import argparse
import collections
import csv
import json
import math
import os
import re
import sys
import uuid

NAMESPACE = uuid.UUID("3b8f0c1e-2d4a-5b6c-8e9f-0a1b2c3d4e5f")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRAFFORD = "trafford-datalab"
LIBHACKED = "librarieshacked-libraries"
OPEN_NAMES = "os-open-names-york"
EXAMPLE = "example"

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VENUE_TYPES = {
    "library", "community_centre", "college", "sports_centre", "park", "place_of_worship", "cafe",
    "arts_venue", "health_setting", "mental_health_service", "online", "other",
}
ACCESSIBILITY_ORDER = [
    "step_free_access", "wheelchair_accessible", "accessible_toilet", "changing_places_toilet",
    "hearing_loop", "quiet_space", "parking", "accessible_parking", "near_public_transport",
    "large_print", "sign_language", "assistance_dogs_welcome",
]
FIVE_WAYS = ["connect", "be_active", "take_notice", "keep_learning", "give"]
KINDS = {"group", "volunteering", "course", "activity"}
# Who a session is for (asset "audience"; absent = open to everyone). See seed-data/README.md.
AUDIENCE_GENDERS = {"mixed", "women_only", "men_only"}
AUDIENCE_GROUPS = [
    "pregnant_postnatal", "parents_and_babies", "older_people", "young_people", "disabled_people",
    "learning_disability", "carers", "lgbtq", "dementia", "refugees_and_asylum_seekers", "veterans",
    "long_term_conditions",
]

STATS = collections.Counter()
NOTES = collections.defaultdict(list)  # stat key -> examples (for the printed summary)


def note(key, detail=None, n=1):
    STATS[key] += n
    if detail is not None:
        NOTES[key].append(detail)


def make_id(source, source_id):
    return str(uuid.uuid5(NAMESPACE, f"{source}:{source_id}"))


# --------------------------------------------------------------------------------------------
# Small text helpers
# --------------------------------------------------------------------------------------------

def clean(value):
    """Trim; map the sources' placeholders for 'no value' to None."""
    if value is None:
        return None
    value = re.sub(r"\s+", " ", str(value)).strip()
    if value in ("", "NA", "N/A", "n/a", "None", "null"):
        return None
    return value


def slug(text):
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")


def norm_name(text, drop_parens=False):
    text = text.lower().replace("&", " and ")
    if drop_parens:
        text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\bst\.?\s", "st ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def names_match(a, b, drop_parens=False, exact=False):
    """Equal, or (unless exact) one name is a whole-word run inside the other, after
    normalising."""
    a, b = norm_name(a, drop_parens), norm_name(b, drop_parens)
    if not a or not b:
        return False
    if a == b:
        return True
    if exact:
        return False
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def norm_phrase(text):
    """Vocabulary matching form: lowercase, runs of non-alphanumerics -> one space, trimmed."""
    out = "".join(c if c.isalnum() else " " for c in text.lower())
    return " ".join(out.split())


POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def norm_postcode(value):
    value = clean(value)
    if not value:
        return None
    compact = re.sub(r"\s+", "", value.upper())
    m = POSTCODE_RE.match(compact)
    if not m:
        note("postcodes_invalid_dropped", value)
        return None
    return f"{m.group(1)} {m.group(2)}"


def norm_url(value):
    value = clean(value)
    if not value:
        return None
    if not re.match(r"^https?://", value, re.I):
        if re.match(r"^[\w.-]+\.[a-z]{2,}(/.*)?$", value, re.I):
            value = "http://" + value
        else:
            return None
    return value


def norm_email(value):
    value = clean(value)
    if not value or not re.match(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$", value):
        if value:
            note("emails_invalid_dropped", value)
        return None
    return value


def norm_phone(value):
    value = clean(value)
    if not value:
        return None
    return value


def split_address(address):
    """'2 Pott Street, Altrincham' -> (['2 Pott Street'], 'Altrincham'). The last comma-separated
    part is taken as the town (it is the post town or locality in every source used)."""
    address = clean(address)
    if not address:
        return [], None
    parts = [p.strip() for p in address.rstrip(".").split(",") if p.strip()]
    if len(parts) == 1:
        return [], parts[0]
    return parts[:-1], parts[-1]


def haversine_m(lat1, lon1, lat2, lon2):
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def parse_coord(lat, lon):
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (49.0 < lat < 61.0 and -9.0 < lon < 2.5):
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


# ---------------------------------------------------------------- polygon centroids

def ring_area_centroid(ring):
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        cross = x1 * y2 - x2 * y1
        a += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    a /= 2.0
    if abs(a) < 1e-14:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a), cx / (6 * a), cy / (6 * a)


def geometry_centroid(geom):
    """Area-weighted centroid of a Polygon/MultiPolygon (holes subtracted), as (lon, lat)."""
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    total = sx = sy = 0.0
    pts = []
    for poly in polys:
        for i, ring in enumerate(poly):
            ring = [tuple(p[:2]) for p in ring]
            if len(ring) > 1 and ring[0] == ring[-1]:
                ring = ring[:-1]
            pts.extend(ring)
            area, cx, cy = ring_area_centroid(ring)
            sign = 1.0 if i == 0 else -1.0
            total += sign * area
            sx += sign * area * cx
            sy += sign * area * cy
    if total <= 0:
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sx / total, sy / total


def point_in_ring(x, y, ring):
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def point_in_geometry(x, y, geom):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    for poly in polys:
        rings = [[tuple(p[:2]) for p in r] for r in poly]
        if point_in_ring(x, y, rings[0]) and not any(point_in_ring(x, y, h) for h in rings[1:]):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Opening-hours parsing
# --------------------------------------------------------------------------------------------

DAY_WORDS = {
    "mon": "mon", "monday": "mon", "mondays": "mon",
    "tue": "tue", "tues": "tue", "tuesday": "tue", "tuesdays": "tue",
    "wed": "wed", "weds": "wed", "wednesday": "wed", "wednesdays": "wed",
    "thu": "thu", "thur": "thu", "thurs": "thu", "thursday": "thu", "thursdays": "thu",
    "fri": "fri", "friday": "fri", "fridays": "fri",
    "sat": "sat", "saturday": "sat", "saturdays": "sat",
    "sun": "sun", "sunday": "sun", "sundays": "sun",
}
DAY_RE = r"(?:mon(?:day)?s?|tue(?:s(?:day)?)?s?|wed(?:s|nesday)?s?|thu(?:r(?:s(?:day)?)?)?s?|fri(?:day)?s?|sat(?:urday)?s?|sun(?:day)?s?)"
TIME_RANGE_RE = re.compile(
    r"(?<![\d:.])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|noon)?\s*(?:-|–|to)\s*"
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|noon)?(?![\d])",
    re.I,
)


def _to_minutes(h, m, suffix):
    h, m = int(h), int(m or 0)
    if suffix:
        suffix = suffix.lower()
        if suffix == "noon":
            if h != 12:
                return None
            return 12 * 60 + m
        if h < 1 or h > 12:
            return None
        if suffix == "am":
            h = 0 if h == 12 else h
        else:
            h = 12 if h == 12 else h + 12
    if h > 24 or m > 59:
        return None
    return h * 60 + m


def parse_time_range(match):
    sh, sm, ss, eh, em, es = match.groups()
    if ss is None and es is None:
        start, end = _to_minutes(sh, sm, None), _to_minutes(eh, em, None)
        # 24h text ("09:00-17:30") only: a bare "9-5" is ambiguous, refuse it
        if not (sm and em):
            return None
    else:
        end = _to_minutes(eh, em, es)
        if ss is None:
            # "1.30-3.30pm", "7-9pm": start shares the end's suffix unless that puts it after
            # the end ("9-5pm", "10-1pm"), in which case it is a morning start.
            start = _to_minutes(sh, sm, es if es.lower() != "noon" else "am")
            if start is not None and end is not None and start >= end:
                start = _to_minutes(sh, sm, "am")
        else:
            start = _to_minutes(sh, sm, ss)
    if start is None or end is None:
        return None
    return start, end


def parse_days(text):
    """'Mon-Fri', 'Monday to Friday', 'Tuesdays, Wednesdays and Fridays' -> ['mon', ...]."""
    t = text.lower()
    days = []
    for m in re.finditer(rf"\b({DAY_RE})\b(?:\s*(?:-|–|to)\s*\b({DAY_RE})\b)?", t):
        a = DAY_WORDS.get(m.group(1))
        b = DAY_WORDS.get(m.group(2)) if m.group(2) else None
        if a is None:
            continue
        if b:
            i, j = DAYS.index(a), DAYS.index(b)
            if j < i:
                return None
            days.extend(DAYS[i:j + 1])
        else:
            days.append(a)
    seen = []
    for d in days:
        if d not in seen:
            seen.append(d)
    return seen


def fmt(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def session(day, start, end):
    return {"day": day, "start": fmt(start), "end": fmt(end), "valid_from": None, "valid_until": None}


def parse_free_text_hours(text, label):
    """Free-text hours ('Mon-Fri: 6:30am-10:00pm, Sat-Sun: 8:00am-6:00pm',
    'Mondays, Tuesdays and Thursdays, 9.30am-4pm; Wednesdays, 9.30am-6pm') -> sessions.
    The day list for each time range is the text between the previous range and this one.
    Returns (sessions, ok)."""
    sessions = []
    pos = 0
    found = False
    for m in TIME_RANGE_RE.finditer(text):
        found = True
        day_text = text[pos:m.start()]
        pos = m.end()
        rng = parse_time_range(m)
        days = parse_days(day_text)
        if not days or rng is None:
            note("sessions_unparseable", f"{label}: {day_text.strip()} {m.group(0)}")
            continue
        start, end = rng
        if end <= start:
            note("sessions_past_midnight_skipped", f"{label}: {m.group(0)}", len(days))
            continue
        for d in days:
            sessions.append(session(d, start, end))
    if not found:
        note("hours_text_unparseable", f"{label}: {text}")
        return [], False
    return sessions, True


def parse_libraries_hacked_hours(row, label):
    """Libraries Hacked '{Day} staffed hours' cells: '09:00-13:00,14:00-17:30' per weekday."""
    sessions = []
    for day, col in zip(DAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                               "Saturday", "Sunday"]):
        cell = clean(row.get(f"{col} staffed hours"))
        if not cell:
            continue
        for part in cell.split(","):
            m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", part)
            if not m:
                note("sessions_unparseable", f"{label} {day}: {part}")
                continue
            start = int(m.group(1)) * 60 + int(m.group(2))
            end = int(m.group(3)) * 60 + int(m.group(4))
            if end <= start:
                note("sessions_past_midnight_skipped", f"{label} {day}: {part}")
                continue
            if end > 24 * 60:
                note("sessions_unparseable", f"{label} {day}: {part}")
                continue
            sessions.append(session(day, start, end))
    return sessions


def sort_sessions(sessions):
    uniq = {(DAYS.index(s["day"]), s["start"], s["end"]): s for s in sessions}
    return [uniq[k] for k in sorted(uniq)]


# --------------------------------------------------------------------------------------------
# Output record builders
# --------------------------------------------------------------------------------------------

class Directory:
    def __init__(self):
        self.orgs = {}
        self.venues = {}
        self.assets = {}
        self.venue_index = []  # (venue_id, name, postcode, lat, lon, kinds)

    # ---- organisations
    def org(self, source, source_id, name, description, website=None, email=None, phone=None,
            charity_number=None, company_number=None):
        oid = make_id(source, source_id)
        if oid in self.orgs:
            rec = self.orgs[oid]
            for k, v in (("website", website), ("email", email), ("phone", phone)):
                if rec[k] is None and v:
                    rec[k] = v
            return oid
        if not description:
            raise SystemExit(f"organisation {name} needs a description")
        self.orgs[oid] = {
            "id": oid, "name": name, "description": description, "website": norm_url(website),
            "email": norm_email(email), "phone": norm_phone(phone),
            "charity_number": charity_number, "company_number": company_number,
            "trusted": True, "source": source, "source_id": source_id,
        }
        return oid

    # ---- venues
    def find_venue(self, name, postcode, location, max_m=None, drop_parens=False, exact=False):
        """Cross-source merge: same postcode AND matching name; or, where either side has no
        postcode, matching name within max_m metres."""
        for vid in sorted(self.venues, key=lambda v: self.venues[v]["source_id"]):
            v = self.venues[vid]
            names = [v["name"]] + v.get("_aliases", [])
            if not any(names_match(name, n, drop_parens, exact) for n in names):
                continue
            if postcode and v["postcode"]:
                if postcode == v["postcode"]:
                    return vid
                continue
            if max_m is not None and location and v["location"]:
                d = haversine_m(location["lat"], location["lon"], v["location"]["lat"],
                                v["location"]["lon"])
                if d <= max_m:
                    return vid
        return None

    def venue(self, source, source_id, name, address_lines, town, postcode, location, venue_type,
              accessibility=(), website=None, phone=None, non_stigmatised=None):
        assert venue_type in VENUE_TYPES, venue_type
        vid = make_id(source, source_id)
        if vid in self.venues:
            return vid
        bad = set(accessibility) - set(ACCESSIBILITY_ORDER)
        assert not bad, bad
        self.venues[vid] = {
            "id": vid, "name": name, "address_lines": list(address_lines), "town": town,
            "postcode": postcode, "location": location, "venue_type": venue_type,
            "non_stigmatised": non_stigmatised,
            "accessibility": [a for a in ACCESSIBILITY_ORDER if a in set(accessibility)],
            "website": norm_url(website), "phone": norm_phone(phone),
            "source": source, "source_id": source_id, "_aliases": [],
        }
        return vid

    def enrich_venue(self, vid, accessibility=(), postcode=None, address_lines=None, town=None,
                     website=None, phone=None, alias=None):
        v = self.venues[vid]
        acc = set(v["accessibility"]) | set(accessibility)
        v["accessibility"] = [a for a in ACCESSIBILITY_ORDER if a in acc]
        if v["postcode"] is None and postcode:
            v["postcode"] = postcode
        if not v["address_lines"] and address_lines:
            v["address_lines"] = list(address_lines)
        if v["town"] is None and town:
            v["town"] = town
        if v["website"] is None and website:
            v["website"] = norm_url(website)
        if v["phone"] is None and phone:
            v["phone"] = norm_phone(phone)
        if alias and alias not in v["_aliases"] and alias != v["name"]:
            v["_aliases"].append(alias)

    # ---- assets
    def asset(self, source, source_id, organization_id, venue_id, kind, title, description,
              interests, five_ways, schedule=None, cost=None, eligibility=None, newcomers=None,
              contact=None, capacity=None, example=False, online=False, audience=None):
        aid = make_id(source, source_id)
        assert aid not in self.assets, source_id
        assert kind in KINDS, kind
        assert organization_id in self.orgs, (source_id, organization_id)
        assert venue_id is None or venue_id in self.venues, source_id
        assert set(five_ways) <= set(FIVE_WAYS), five_ways
        assert description, source_id
        rec = {
            "id": aid, "organization_id": organization_id, "venue_id": venue_id,
            "online": online, "kind": kind, "title": title, "description": description,
            "interests": list(interests),
            "five_ways": [w for w in FIVE_WAYS if w in set(five_ways)],
            "eligibility": {"min_age": None, "max_age": None, "criteria": None},
            "cost": {"free": None, "amount_pence": None, "concession_pence": None, "notes": None},
            "schedule": {"weekly": [], "dated": [], "notes": None},
            "newcomers": {"drop_in": None, "taster_session": None, "meet_and_greet": None,
                          "booking_required": None},
            "capacity": {"max_participants": None, "typical_group_size": None},
            "contact": {"name": None, "email": None, "phone": None, "url": None},
            "status": "published", "source": source, "source_id": source_id, "example": example,
        }
        for key, val in (("eligibility", eligibility), ("cost", cost), ("schedule", schedule),
                         ("newcomers", newcomers), ("contact", contact), ("capacity", capacity)):
            if val:
                unknown = set(val) - set(rec[key])
                assert not unknown, (source_id, key, unknown)
                rec[key].update(val)
        if audience is not None:
            # placed right after "eligibility"; assets without one have no "audience" key
            assert set(audience) == {"gender", "groups", "groups_only", "referral_only"}, source_id
            rec = {k2: v2 for k, v in rec.items()
                   for k2, v2 in ([(k, v), ("audience", audience)] if k == "eligibility" else [(k, v)])}
        rec["schedule"]["weekly"] = sort_sessions(rec["schedule"]["weekly"])
        c = rec["contact"]
        c["url"], c["email"], c["phone"] = norm_url(c["url"]), norm_email(c["email"]), norm_phone(c["phone"])
        self.assets[aid] = rec
        return aid


def contact(url=None, email=None, phone=None, name=None):
    return {"url": url, "email": email, "phone": phone, "name": name}


def audience(gender="mixed", groups=(), groups_only=False, referral_only=False):
    """The asset's `audience` object: always all four keys, groups in AUDIENCE_GROUPS order."""
    assert gender in AUDIENCE_GENDERS, gender
    assert set(groups) <= set(AUDIENCE_GROUPS), groups
    assert groups or not groups_only, "groups_only needs groups"
    return {"gender": gender, "groups": [g for g in AUDIENCE_GROUPS if g in set(groups)],
            "groups_only": bool(groups_only), "referral_only": bool(referral_only)}


def hours_schedule(sessions, raw, source_label, extra_note=None):
    notes = []
    if raw:
        notes.append(f"Opening hours as published ({source_label}): {raw}")
    if extra_note:
        notes.append(extra_note)
    return {"weekly": sessions, "dated": [], "notes": " ".join(notes) or None}


# --------------------------------------------------------------------------------------------
# Interest phrases. Each entry is a tuple of candidate phrases, most specific first; the first
# that resolves in the vocabulary is used (the fallbacks used are reported). A tuple none of whose
# phrases resolves is an error.
# --------------------------------------------------------------------------------------------

CLUB_CATEGORY_INTERESTS = {
    "Bowling": [("bowls", "lawn bowls", "crown green bowls")],
    "Football": [("football",)],
    "Golf": [("golf",)],
    "Badminton": [("badminton",)],
    "Rugby": [("rugby union", "rugby")],
    "Swimming": [("swimming",)],
    "Tennis": [("tennis",)],
    "Cricket": [("cricket",)],
    "Multi Sports": [],
    "Athletic": [("athletics",)],
    "Riding": [("horse riding", "equestrian")],
    "Cricket, Tennis": [("cricket",), ("tennis",)],
    "Gymnastics": [("gymnastics",)],
    "Netball": [("netball",)],
    "Ice Hockey": [("ice hockey",)],
    "Bowling, Tennis": [("bowls", "lawn bowls", "crown green bowls"), ("tennis",)],
    "Croquet": [("croquet",)],
    "Water Sports": [("water sports",)],
    "Netball, Basketball": [("netball",), ("basketball",)],
    "Trampoline": [("trampolining", "trampoline")],
    "Weights": [("weight training", "weightlifting", "gym")],
    "Gaelic Football": [("gaelic football", "football")],
    "Basketball": [("basketball",)],
    "Rowing": [("rowing",)],
    "Fencing": [("fencing",)],
    "Hockey": [("hockey", "field hockey")],
    "Martial Arts": [("martial arts",)],
}

# Name-based refinements of the club category (the club's name says more than its category).
CLUB_NAME_INTERESTS = [
    (r"table tennis", "Tennis", [("table tennis",)]),
    (r"korfball", None, [("korfball", "netball")]),
    (r"\bjudo\b", None, [("judo", "martial arts")]),
    (r"karate", None, [("karate", "martial arts")]),
    (r"tae kwon|taekwon", None, [("taekwondo", "martial arts")]),
    (r"aikido", None, [("aikido", "martial arts")]),
    (r"ju[ -]?jitsu", None, [("ju jitsu", "jujitsu", "martial arts")]),
    (r"tai chi", None, [("tai chi", "martial arts")]),
    (r"tang soo", None, [("tang soo do", "martial arts")]),
    (r"sub-aqua|sub aqua", None, [("scuba diving", "swimming")]),
    (r"synchroni[sz]ed", None, [("synchronised swimming", "swimming")]),
    (r"life saving", None, [("lifesaving sport", "lifesaving", "swimming")]),
    (r"jet ski", None, [("jet skiing", "water sports")]),
    (r"harriers|athletic club", "Athletic", [("athletics",), ("running",)]),
]
# (regex that shows the name already says the sport, word appended to the title otherwise)
CLUB_TITLE_WORDS = {
    "Bowling": (r"bowl", "bowls club"),
    "Football": (r"football|\bfc\b|\bafc\b|\bjfc\b|f\.c", "football club"),
    "Rugby": (r"rugby|rufc|r\.f\.c|\brfc|rfcc", "rugby club"),
    "Golf": (r"golf", "golf club"),
    "Badminton": (r"badminton", "badminton club"),
    "Swimming": (r"swim|sub-aqua|life saving", "swimming club"),
    "Tennis": (r"tennis", "tennis club"),
    "Cricket": (r"cricket", "cricket club"),
    "Martial Arts": (r"karate|judo|jitsu|aikido|tae kwon|tai chi|tang soo|martial", "martial arts club"),
    "Athletic": (r"athletic club|harriers", "athletics club"),
    "Riding": (r"riding", "riding club"),
    "Multi Sports": (r"sports|cricket", "sports club"),
    "Gymnastics": (r"gymn", "gymnastics club"),
    "Netball": (r"netball", "netball club"),
    "Ice Hockey": (r"hockey", "ice hockey club"),
    "Croquet": (r"croquet", "croquet club"),
    "Water Sports": (r"jet ski", "water sports club"),
    "Netball, Basketball": (r"korfball|netball|basketball", "netball and basketball club"),
    "Trampoline": (r"trampolin", "trampolining club"),
    "Weights": (r"weight", "weight training club"),
    "Gaelic Football": (r"football", "Gaelic football club"),
    "Basketball": (r"basketball", "basketball club"),
    "Rowing": (r"rowing", "rowing club"),
    "Fencing": (r"sword|fencing", "fencing club"),
    "Hockey": (r"hockey", "hockey club"),
    "Cricket, Tennis": (r"cricket", "cricket and tennis club"),
    "Bowling, Tennis": (r"bowling", "bowls and tennis club"),
}
MULTI_SPORT_WORDS = [
    (r"cricket", ("cricket",)), (r"hockey", ("hockey", "field hockey")), (r"squash", ("squash",)),
    (r"tennis", ("tennis",)), (r"bowling", ("bowls", "lawn bowls")), (r"rugby", ("rugby union", "rugby")),
    (r"football|\bfc\b", ("football",)),
]

FACILITY_INTERESTS = {
    "Swimming pools": [("swimming",)],
    "Health and fitness gym stations": [("gym",)],
    "Studios": [("fitness classes", "exercise classes", "fitness")],
    "Sports halls": [("indoor sports", "sport", "sports")],
    "Grass pitches": [("team sports", "sport", "sports")],
    "Artificial grass pitches": [("team sports", "sport", "sports")],
    "Outdoor tennis courts": [("tennis",)],
    "Indoor tennis courts": [("tennis",)],
    "Squash courts": [("squash",)],
    "Golf": [("golf",)],
    "Athletics": [("athletics",)],
    "Ski slopes": [("skiing",)],
    "Ice rinks": [("ice skating",)],
}

LEISURE_TEXT_INTERESTS = [
    (r"swimming", ("swimming",)),
    (r"\bgym\b|fitness suite|fitness and wellbeing gym", ("gym",)),
    (r"fitness classes|class timetable|studio", ("fitness classes", "exercise classes", "fitness")),
    (r"spinning|indoor cycle", ("indoor cycling", "spinning", "cycling")),
    (r"badminton", ("badminton",)),
    (r"gymnastics", ("gymnastics",)),
    (r"table tennis", ("table tennis",)),
    (r"(?<!table )tennis", ("tennis",)),
    (r"walking football", ("walking football",)),
    (r"walking netball", ("walking netball", "netball")),
    (r"pickleball", ("pickleball",)),
    (r"clip and climb", ("climbing", "indoor climbing")),
    (r"football pitch|3g", ("football",)),
    (r"cricket nets", ("cricket",)),
    (r"sports hall", ("indoor sports", "sport", "sports")),
]


def club_interests(name, category):
    """The club's name, where it names a specific sport, says more than its category."""
    lname = name.lower()
    out = []
    for pattern, _category, phrases in CLUB_NAME_INTERESTS:
        if re.search(pattern, lname):
            out.extend(phrases)
    if out:
        return out
    if category == "Multi Sports":
        for pattern, phrases in MULTI_SPORT_WORDS:
            if re.search(pattern, lname):
                out.append(phrases)
        return out or [("multisports", "sport")]
    return list(CLUB_CATEGORY_INTERESTS[category])


def text_interests(text, table):
    out = []
    low = text.lower()
    for pattern, phrases in table:
        if re.search(pattern, low):
            out.append(phrases)
    return out


# --------------------------------------------------------------------------------------------
# Loading helpers
# --------------------------------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Wards:
    """Point-in-polygon lookup of Trafford electoral wards (for descriptions of places that have
    no address in their source)."""

    def __init__(self, path):
        self.features = read_json(path)["features"]

    def name(self, loc):
        for f in self.features:
            if point_in_geometry(loc["lon"], loc["lat"], f["geometry"]):
                return f["properties"]["area_name"]
        return None


def where(ward):
    return f"in Trafford's {ward} ward" if ward else "in Trafford"


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

TRAFFORD_COUNCIL = ("org:trafford-council", "Trafford Council",
                    "Metropolitan borough council for Trafford, Greater Manchester; runs the "
                    "borough's public libraries, parks and allotments (source: Trafford Data Lab "
                    "open data).", "https://www.trafford.gov.uk")

LH_ATTR = "Libraries Hacked"


def build_trafford(d, data, lh_rows):
    tdir = os.path.join(data, "trafford-datalab")
    wards = Wards(os.path.join(tdir, "trafford_boundary_electoral_ward.geojson"))
    council = d.org(TRAFFORD, *TRAFFORD_COUNCIL[:3], website=TRAFFORD_COUNCIL[3])

    # ------------------------------------------------------------ Active Places (read first so
    # leisure centres and clubs can merge with it)
    ap_rows = read_csv(os.path.join(tdir, "sports_facilities.csv"))
    sites = collections.OrderedDict()
    for r in ap_rows:
        sites.setdefault(r["site_id"], []).append(r)
    ap_sites = {}
    for site_id, rows in sites.items():
        public = [r for r in rows if r["access_type"] != "Private Use"]
        if not public:
            note("ap_sites_skipped_private_use_only")
            continue
        ap_sites[site_id] = rows

    def ap_accessibility(rows):
        acc = set()
        for r in rows:
            if r["disability_parking"] == "Yes":
                acc.add("accessible_parking")
            if r["disability_toilets"] == "Yes":
                acc.add("accessible_toilet")
            if r["car_park"] == "Yes":
                acc.add("parking")
            if all(r[k] == "Yes" for k in ("disability_finding_reaching_entrance",
                                           "disability_doorways", "disability_activity_area")):
                acc.add("wheelchair_accessible")
            notes_text = (clean(r["disability_notes"]) or "").lower()
            if re.search(r"\bramps?\b|\blift\b", notes_text):
                acc.add("step_free_access")
        return acc

    def ap_public_facilities(rows):
        out = collections.OrderedDict()
        for r in sorted(rows, key=lambda r: (r["facility_type"], r["access_type"])):
            if r["access_type"] == "Private Use":
                continue
            out.setdefault(r["facility_type"], [])
            if r["access_type"] not in out[r["facility_type"]]:
                out[r["facility_type"]].append(r["access_type"])
        return out

    def ap_cost(rows):
        fac = ap_public_facilities(rows)
        access = {a for lst in fac.values() for a in lst}
        parts = [f"{t}: {', '.join(a)}" for t, a in fac.items()]
        return {
            "free": True if access == {"Free Public Access"} else None,
            "notes": "Access type (Sport England Active Places): " + "; ".join(parts) + ".",
        }

    def ap_description(site_name, rows):
        fac = ap_public_facilities(rows)
        parts = []
        for t, acc in fac.items():
            n = sum(int(r["facility_areas_on_site"] or 0) for r in rows
                    if r["facility_type"] == t and r["access_type"] != "Private Use")
            count = f"{n} on site; " if n > 0 else ""
            parts.append(f"{t.lower()} ({count}{', '.join(a.lower() for a in acc)})")
        updated = max(r["site_last_updated_date"] for r in rows)
        return (f"{site_name} is listed in Sport England Active Places with: " + "; ".join(parts)
                + f". Record last updated {updated}.")

    def ap_interests(rows):
        out = []
        for t in ap_public_facilities(rows):
            out.extend(FACILITY_INTERESTS[t])
        return out

    ap_used = set()  # site ids folded into another source's venue + asset

    # ------------------------------------------------------------ leisure centres
    for r in read_csv(os.path.join(tdir, "trafford_leisure_centres.csv")):
        name = clean(r["name"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"leisure centre {name}")
            continue
        pc = norm_postcode(r["postcode"])
        lines, town = split_address(r["address"])
        manager = clean(r["managed_by"]).rstrip(".")
        if manager.startswith("Altrincham Grammar School for Boys"):
            org = d.org(TRAFFORD, "org:altrincham-grammar-school-for-boys",
                        "Altrincham Grammar School for Boys",
                        "School that runs The Grammar community leisure facilities in partnership "
                        "with Schools Plus (source: Trafford Council leisure centres list).")
        else:
            org = d.org(TRAFFORD, f"org:{slug(manager)}", manager,
                        f"Leisure operator running {name} and other Trafford leisure centres "
                        "(source: Trafford Council leisure centres list)."
                        if manager == "Trafford Leisure CIC" else
                        f"Community organisation running {name} (source: Trafford Council leisure "
                        "centres list).",
                        website="https://traffordleisure.co.uk/" if manager == "Trafford Leisure CIC" else r["website"])
        facilities = clean(r["facilities"]) or ""
        acc = set()
        if re.search(r"changing places toilet", facilities, re.I):
            acc.add("changing_places_toilet")
        # merge with the Active Places record of the same place (same postcode, matching name)
        matched = [sid for sid, rows in ap_sites.items()
                   if norm_postcode(rows[0]["postcode"]) == pc
                   and names_match(name, rows[0]["site_name"])]
        ap_rows_here = []
        for sid in matched:
            ap_used.add(sid)
            ap_rows_here.extend(ap_sites[sid])
            acc |= ap_accessibility(ap_sites[sid])
            note("ap_sites_merged_into_leisure_centres", f"{ap_sites[sid][0]['site_name']} -> {name}")
        vid = d.venue(TRAFFORD, f"leisure_centres:venue:{slug(name)}", name, lines, town, pc, loc,
                      "sports_centre", acc, website=r["website"], phone=r["telephone"])
        for sid in matched:
            d.enrich_venue(vid, alias=ap_sites[sid][0]["site_name"])
        raw = clean(r["opening_hours"])
        sessions, _ = parse_free_text_hours(raw, name)
        extra = None
        newcomers = None
        if raw and raw.lower().startswith("pitch bookings only"):
            extra = "The source says these hours are for pitch bookings only."
            newcomers = {"booking_required": True}
        desc = facilities or f"Leisure centre run by {manager}."
        interests = text_interests(facilities, LEISURE_TEXT_INTERESTS)
        cost = None
        if ap_rows_here:
            desc += " " + ap_description(ap_rows_here[0]["site_name"], ap_rows_here)
            cost = {"notes": ap_cost(ap_rows_here)["notes"]}
            if not interests:
                interests = ap_interests(ap_rows_here)
        d.asset(TRAFFORD, f"leisure_centres:{slug(name)}", org, vid, "activity", name, desc,
                interests, ["be_active", "connect"],
                schedule=hours_schedule(sessions, raw, "Trafford Council leisure centres list", extra),
                cost=cost, newcomers=newcomers,
                contact=contact(url=r["website"], phone=r["telephone"]))
        note("assets_trafford_leisure_centres")

    # ------------------------------------------------------------ libraries
    lh_trafford = [row for row in lh_rows
                   if row["Local authority"] == "Trafford Metropolitan Borough Council"
                   and not clean(row["Year closed"])]
    for r in read_csv(os.path.join(tdir, "trafford_libraries.csv")):
        name = clean(r["name"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"library {name}")
            continue
        pc = norm_postcode(r["postcode"])
        lines, town = split_address(r["address"])
        ltype = clean(r["type"])
        if ltype == "Lostock High School run library":
            org = d.org(TRAFFORD, "org:lostock-high-school", "Lostock High School",
                        "School that runs Lostock Library (source: Trafford Council libraries "
                        "list, library type 'Lostock High School run library').")
        else:
            org = council
        # One venue per address: Sale Library and Trafford Local Studies Centre are both at
        # Sale Waterside, M33 7ZF.
        vkey = f"libraries:venue:{slug(' '.join(lines) + ' ' + (pc or ''))}"
        vid = make_id(TRAFFORD, vkey)
        if vid in d.venues:
            # a second library at the same address: name the venue by its address
            d.enrich_venue(vid, alias=d.venues[vid]["name"])
            d.venues[vid]["name"] = ", ".join(lines) or name
            d.venues[vid]["website"] = None
            note("venues_shared_same_address", f"{name} shares {', '.join(lines)}")
        else:
            d.venue(TRAFFORD, vkey, name, lines, town, pc, loc, "library", (), website=r["website"])
        # staffed hours: Libraries Hacked row with the same postcode whose short name starts
        # the Trafford name (e.g. 'Sale' -> 'Sale Library').
        lh = [row for row in lh_trafford if norm_postcode(row["Postcode"]) == pc
              and norm_name(name).startswith(norm_name(row["Library name"]))]
        sessions = []
        sched_note = None
        if lh:
            sessions = parse_libraries_hacked_hours(lh[0], name)
            if sessions:
                note("trafford_libraries_with_libraries_hacked_hours", name)
                sched_note = ("Staffed hours from Libraries Hacked (LibrariesHacked/librarydata-db; "
                              "Trafford's entry was last updated by the council at an unknown "
                              "date, so treat as indicative).")
        desc = f"{ltype} (source: Trafford Council libraries list, 2023)."
        d.asset(TRAFFORD, f"libraries:{slug(name)}", org, vid, "activity", name, desc,
                [("reading", "books"), ("libraries", "library")], ["connect", "keep_learning", "take_notice"],
                schedule={"weekly": sessions, "dated": [], "notes": sched_note},
                contact=contact(url=r["website"], email=r["email"]))
        note("assets_trafford_libraries")

    # ------------------------------------------------------------ community hubs
    hub_orgs = {
        "Altrincham": ("The Hub, Altrincham (Altrincham Baptist Church)",
                       "Hosts Altrincham's community hub at The Hub, Pownall Road (source: "
                       "Trafford Council community hubs list; contact email at "
                       "altrinchambaptist.org)."),
        "Old Trafford": ("St John's Centre, Old Trafford",
                         "Community centre hosting the Old Trafford community hub (source: "
                         "Trafford Council community hubs list)."),
        "Partington": ("The Hope Centre, Partington",
                       "Community centre hosting the Partington community hub (source: Trafford "
                       "Council community hubs list)."),
        "Sale": ("Our Sale West",
                 "Community organisation running Sale Community Hub, Newbury Avenue (source: "
                 "Trafford Council community hubs list)."),
        "Stretford": ("Stretford Public Hall",
                      "Community-run hall hosting the Stretford community hub (source: Trafford "
                      "Council community hubs list)."),
        "Urmston": ("Age UK Trafford",
                    "Charity for older people hosting the Urmston community hub at The Sharples "
                    "Building (source: Trafford Council community hubs list)."),
    }
    hub_hours_not_attendance = {
        "Sale": "The published hours are for phone calls and food collections/deliveries, not "
                "drop-in attendance, so no weekly sessions were derived.",
    }
    for r in read_csv(os.path.join(tdir, "trafford_community_hubs.csv")):
        hub = clean(r["community_hub"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"hub {hub}")
            continue
        pc = norm_postcode(r["postcode"])
        lines, town = split_address(r["address"])
        oname, odesc = hub_orgs[hub]
        org = d.org(TRAFFORD, f"org:{slug(oname)}", oname, odesc, website=r["website"],
                    email=r["email"], phone=r["telephone"])
        vname = lines[0] if lines else f"{hub} community hub"
        vid = d.venue(TRAFFORD, f"community_hubs:venue:{slug(hub)}", vname, lines, town, pc, loc,
                      "community_centre", (), website=r["website"], phone=r["telephone"])
        raw = clean(r["opening_hours"])
        if hub in hub_hours_not_attendance:
            sessions, extra = [], hub_hours_not_attendance[hub]
            note("hours_text_not_attendance", f"hub {hub}: {raw}")
        else:
            sessions, _ = parse_free_text_hours(raw, f"hub {hub}")
            extra = None
        d.asset(TRAFFORD, f"community_hubs:{slug(hub)}", org, vid, "activity",
                f"{hub} Community Hub" + ("" if vname == f"{hub} Community Hub" else f" at {vname}"),
                f"Trafford Council community hub for {hub}, hosted at {', '.join(lines)} "
                "(source: Trafford Council community hubs list, 2024).",
                [("community centre", "community hub")], ["connect"],
                schedule=hours_schedule(sessions, raw, "Trafford Council community hubs list", extra),
                contact=contact(url=r["website"], email=r["email"], phone=r["telephone"]))
        note("assets_trafford_community_hubs")

    # ------------------------------------------------------------ children's centres
    for r in read_csv(os.path.join(tdir, "trafford_childrens_centres.csv")):
        name = clean(r["name"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"children's centre {name}")
            continue
        pc = norm_postcode(r["postcode"])
        lines, town = split_address(r["address"])
        org = d.org(TRAFFORD, f"org:{slug(name)}", name,
                    f"Children's centre in Trafford, DfE URN {r['unique_reference_number']} "
                    "(source: DfE Get Information about Schools via Trafford Data Lab).",
                    phone=r["telephone"])
        vid = d.venue(TRAFFORD, f"childrens_centres:venue:{r['unique_reference_number']}", name,
                      lines, town, pc, loc, "community_centre", (), phone=r["telephone"])
        d.asset(TRAFFORD, f"childrens_centres:{r['unique_reference_number']}", org, vid, "group",
                name,
                f"Children's centre (DfE Get Information about Schools, URN "
                f"{r['unique_reference_number']}); the source lists no sessions.",
                [("family activities", "families")], ["connect"],
                contact=contact(phone=r["telephone"]),
                # a children's centre serves families with young children (not closed to others)
                audience=audience(groups=["parents_and_babies"]))
        note("assets_trafford_childrens_centres")

    # ------------------------------------------------------------ parks
    one_trafford = None
    for r in read_csv(os.path.join(tdir, "trafford_green_flags.csv")):
        name = clean(r["name"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"green flag {name}")
            continue
        manager = clean(r["managed"])
        if manager == "One Trafford":
            one_trafford = d.org(TRAFFORD, "org:one-trafford", "One Trafford",
                                 "Manager of Trafford's Green Flag award parks as named in the "
                                 "Trafford Green Flags list (source: Trafford Data Lab, 2021).")
            org = one_trafford
        else:
            org = council
        vid = d.venue(TRAFFORD, f"green_flags:venue:{slug(name)}", name, [], None, None, loc,
                      "park", (), website=r["website"], phone=r["telephone"])
        d.venues[vid]["_ward"] = wards.name(loc)
        d.venues[vid]["_park"] = {"org": org, "green_flag": True, "contact": r, "key": slug(name)}
        note("parks_green_flag")
    gs = read_json(os.path.join(tdir, "trafford_greenspace_sites.geojson"))["features"]
    named_parks = collections.OrderedDict()
    for f in gs:
        p = f["properties"]
        if p["site_type"] != "Public Park Or Garden":
            continue
        if not p.get("site_name"):
            note("greenspace_parks_skipped_unnamed")
            continue
        lon, lat = geometry_centroid(f["geometry"])
        named_parks.setdefault(p["site_name"], []).append(parse_coord(lat, lon))
    for name, locs in named_parks.items():
        for i, loc in enumerate(locs):
            vid = d.find_venue(name, None, loc, max_m=500, drop_parens=True)
            if vid and d.venues[vid]["venue_type"] == "park":
                # same park as a Green Flag entry: the OS polygon centroid is the better point
                d.venues[vid]["location"] = loc
                d.enrich_venue(vid, alias=name)
                note("greenspace_parks_merged_with_green_flag", f"{name} -> {d.venues[vid]['name']}")
                continue
            key = slug(name) + (f"-{i + 1}" if len(locs) > 1 else "")
            vid = d.venue(TRAFFORD, f"greenspaces:venue:{key}", name, [], None, None, loc, "park", ())
            d.venues[vid]["_ward"] = wards.name(loc)
            d.venues[vid]["_park"] = {"org": council, "green_flag": False, "contact": None,
                                      "key": key}
            note("parks_greenspace")
    for vid in sorted([v for v in d.venues if "_park" in d.venues[v]],
                      key=lambda v: d.venues[v]["source_id"]):
        v = d.venues[vid]
        info = v["_park"]
        ward = v["_ward"]
        if info["green_flag"]:
            r = info["contact"]
            desc = (f"Green Flag award park {where(ward)} (source: Trafford Green Flags list, "
                    f"2021); managed by {clean(r['managed'])}.")
            c = contact(url=r["website"], phone=r["telephone"], name=clean(r["contact"]))
            src = f"green_flags:{info['key']}"
        else:
            desc = (f"Public park or garden {where(ward)} (source: OS Open Greenspace, 2023).")
            c = None
            src = f"greenspaces:{info['key']}"
        d.asset(TRAFFORD, src, info["org"], vid, "activity", v["name"], desc,
                [("parks", "park", "nature", "outdoors")], ["be_active", "take_notice"],
                cost={"free": True, "notes": "Public park: free to enter."}, contact=c)
        note("assets_trafford_parks")

    # ------------------------------------------------------------ Active Places sites (rest)
    for site_id in sorted(ap_sites, key=int):
        rows = ap_sites[site_id]
        if site_id in ap_used:
            continue
        r0 = rows[0]
        name = clean(r0["site_name"])
        loc = parse_coord(r0["lat"], r0["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"active places {name}")
            continue
        pc = norm_postcode(r0["postcode"])
        acc = ap_accessibility(rows)
        street, town = clean(r0["street"]), clean(r0["town"])
        # the same park as a park venue (no postcode there): name match within 500 m
        vid = d.find_venue(name, None, loc, max_m=500, drop_parens=True, exact=True)
        if vid and d.venues[vid]["venue_type"] == "park":
            d.enrich_venue(vid, accessibility=acc, postcode=pc, address_lines=[street] if street else [],
                           town=town, alias=name)
            note("ap_sites_merged_into_parks", f"{name} -> {d.venues[vid]['name']}")
        else:
            vid = d.venue(TRAFFORD, f"sport_facilities:venue:{site_id}", name,
                          [street] if street else [], town, pc, loc, "sports_centre", acc,
                          website=r0["website"], phone=r0["telephone"])
        website = norm_url(r0["website"]) or ""
        if re.search(r"traffordleisure\.co\.uk|twmove\.co\.uk", website):
            org = d.org(TRAFFORD, "org:trafford-leisure-cic", "Trafford Leisure CIC",
                        "Leisure operator (source: Trafford Council leisure centres list).")
        elif re.search(r"trafford\.gov\.uk", website):
            org = council
        else:
            org = d.org(TRAFFORD, f"org:sport_facilities:{site_id}", name,
                        f"Operator of {name}, a sports site listed in Sport England Active Places "
                        "(the operator is not named in the source).",
                        website=r0["website"], email=r0["email"], phone=r0["telephone"])
        fac = list(ap_public_facilities(rows))
        title = f"{fac[0]} at {name}" if len(fac) == 1 else f"Sports facilities at {name}"
        d.asset(TRAFFORD, f"sport_facilities:{site_id}", org, vid, "activity", title,
                ap_description(name, rows), ap_interests(rows), ["be_active", "connect"],
                cost=ap_cost(rows),
                contact=contact(url=r0["website"], email=r0["email"], phone=r0["telephone"]))
        note("assets_trafford_sport_facilities")

    # ------------------------------------------------------------ sports clubs
    club_csv = read_csv(os.path.join(tdir, "sports_clubs.csv"))
    club_geo = {f["properties"]["name"]: f for f in
                read_json(os.path.join(tdir, "sports_clubs.geojson"))["features"]}
    clubs = []
    for r in club_csv:
        name = clean(r["name"])
        feat = club_geo.get(r["name"])
        if not feat:
            note("rows_dropped_no_coordinates", f"sports club {name}")
            continue
        lon, lat = feat["geometry"]["coordinates"][:2]
        pc = norm_postcode(r["postcode"])
        # Active Places site of the same place: same postcode and matching name
        ap_match = [sid for sid, rows in ap_sites.items()
                    if norm_postcode(rows[0]["postcode"]) == pc
                    and names_match(name, rows[0]["site_name"])]
        clubs.append({"r": r, "name": name, "category": clean(r["category"]), "pc": pc,
                      "loc": parse_coord(lat, lon), "addr_key": slug(r["address"] + " " + (pc or "")),
                      "ap": ap_match[0] if ap_match else None})
    # clubs at exactly the same address share one venue; if any of them is the same place as an
    # Active Places site, that site's venue is the shared venue
    addr_groups = collections.defaultdict(list)
    for c in clubs:
        addr_groups[c["addr_key"]].append(c)
    addr_venue = {}
    for key, members in addr_groups.items():
        ap_ids = [c["ap"] for c in members if c["ap"]
                  and make_id(TRAFFORD, f"sport_facilities:venue:{c['ap']}") in d.venues]
        if ap_ids:
            addr_venue[key] = make_id(TRAFFORD, f"sport_facilities:venue:{ap_ids[0]}")
            for c in members:
                d.enrich_venue(addr_venue[key], alias=c["name"])
        else:
            c = members[0]
            lines, town = split_address(c["r"]["address"])
            vname = c["name"] if len(members) == 1 else ", ".join(lines + [town])
            addr_venue[key] = d.venue(TRAFFORD, f"sports_clubs:venue:{key}", vname, lines, town,
                                      c["pc"], c["loc"], "sports_centre", ())
            for m in members:
                d.enrich_venue(addr_venue[key], alias=m["name"])
        if len(members) > 1:
            note("venues_shared_same_address", f"{len(members)} clubs at {members[0]['r']['address']}")
    for c in clubs:
        name, category, r = c["name"], c["category"], c["r"]
        org = d.org(TRAFFORD, f"org:sports_clubs:{slug(name)}", name,
                    f"Sports club in Trafford, category {category} (source: Trafford Council "
                    "sports clubs list, 2018).")
        vid = addr_venue[c["addr_key"]]
        ap_rows_here = []
        if c["ap"] and make_id(TRAFFORD, f"sport_facilities:venue:{c['ap']}") in d.venues:
            sid = c["ap"]
            ap_rows_here = ap_sites[sid]
            # the club and the site are the same thing: drop the separate site asset
            aid = make_id(TRAFFORD, f"sport_facilities:{sid}")
            if aid in d.assets:
                del d.assets[aid]
                STATS["assets_trafford_sport_facilities"] -= 1
                note("ap_sites_merged_into_sports_clubs", f"{ap_rows_here[0]['site_name']} -> {name}")
                oid = make_id(TRAFFORD, f"org:sport_facilities:{sid}")
                if oid in d.orgs and not any(a["organization_id"] == oid for a in d.assets.values()):
                    del d.orgs[oid]
        interests = club_interests(name, category)
        if category == "Multi Sports" and ap_rows_here:
            interests += [i for i in ap_interests(ap_rows_here) if i not in interests]
        lname = name.lower()
        pattern, word = CLUB_TITLE_WORDS[category]
        title = name if re.search(pattern, lname) else f"{name} ({word})"
        criteria = []
        aud = {}
        if re.search(r"\bjunior|\bjfc\b|youth", lname):
            # children's clubs: no audience group fits (young_people is 16-25); ages unknown
            criteria.append("Junior/youth club (from the club's name); ages not stated in the source.")
        if re.search(r"ladies|women", lname):
            criteria.append("Women's club (from the club's name).")
            aud["gender"] = "women_only"
        if re.search(r"\bmens\b|\bmen's\b", lname):
            criteria.append("Men's club (from the club's name).")
            aud["gender"] = "men_only"
        if re.search(r"veteran", lname):
            criteria.append("Veterans' club (from the club's name); ages not stated in the source.")
            # in bowls and golf "veterans" are older players, not ex-forces: made for, not closed to
            aud["groups"] = ["older_people"]
        if re.search(r"disabilit", lname):
            criteria.append("For people with disabilities (from the club's name).")
            aud["groups"], aud["groups_only"] = ["disabled_people"], True
        desc = f"{category} club in Trafford (source: Trafford Council sports clubs list, 2018)."
        cost = None
        cont = None
        if ap_rows_here:
            desc += " " + ap_description(ap_rows_here[0]["site_name"], ap_rows_here)
            cost = {"notes": ap_cost(ap_rows_here)["notes"]}
            r0 = ap_rows_here[0]
            cont = contact(url=r0["website"], email=r0["email"], phone=r0["telephone"])
        d.asset(TRAFFORD, f"sports_clubs:{slug(name)}", org, vid, "group", title, desc,
                interests, ["connect", "be_active"],
                eligibility={"criteria": " ".join(criteria)} if criteria else None,
                cost=cost, contact=cont, audience=audience(**aud) if aud else None)
        note("assets_trafford_sports_clubs")

    # ------------------------------------------------------------ allotments
    allot_geo = {f["properties"]["osm_id"]: f for f in
                 read_json(os.path.join(tdir, "trafford_allotments.geojson"))["features"]}
    for r in read_csv(os.path.join(tdir, "trafford_allotments.csv")):
        name = clean(r["name"])
        osm = clean(r["osm_id"])
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"allotment {name}")
            continue
        ward = wards.name(loc)
        vname = name if re.search(r"allotment", name, re.I) else f"{name} Allotments"
        vid = d.venue(TRAFFORD, f"allotments:venue:{osm}", vname, [], None, None, loc, "park", ())
        d.asset(TRAFFORD, f"allotments:{osm}", council, vid, "activity", f"Allotment plots at {vname}",
                f"Allotment site {where(ward)} (source: Trafford Council and OpenStreetMap, "
                f"OSM id {osm}, 2019). The source gives no plot availability, rents or contacts.",
                [("allotment", "allotments"), ("gardening",)], ["be_active", "take_notice"])
        note("assets_trafford_allotments")

    # ------------------------------------------------------------ places of worship
    pow_feats = read_json(os.path.join(tdir, "trafford_places_of_worship.geojson"))["features"]
    groups = []
    for f in sorted(pow_feats, key=lambda f: f["properties"]["ID"]):
        name = clean(f["properties"]["DISTNAME"])
        if re.search(r"cemetery|crematorium|school chapel", name, re.I):
            note("pow_skipped_cemetery_or_school_chapel", name)
            continue
        lon, lat = geometry_centroid(f["geometry"])
        loc = parse_coord(lat, lon)
        if not loc:
            note("rows_dropped_no_coordinates", f"place of worship {name}")
            continue
        for g in groups:
            if norm_name(g["name"]) == norm_name(name) and haversine_m(
                    g["loc"]["lat"], g["loc"]["lon"], loc["lat"], loc["lon"]) < 150:
                g["feats"].append(f)
                note("pow_polygons_merged_same_building", name)
                break
        else:
            groups.append({"name": name, "loc": loc, "feats": [f], "id": f["properties"]["ID"]})
    for g in groups:
        if len(g["feats"]) > 1:
            geom = {"type": "MultiPolygon",
                    "coordinates": [x["geometry"]["coordinates"] for x in g["feats"]]}
            lon, lat = geometry_centroid(geom)
            g["loc"] = parse_coord(lat, lon)
        name, loc, pid = g["name"], g["loc"], g["id"]
        ward = wards.name(loc)
        org = d.org(TRAFFORD, f"org:places_of_worship:{pid}", name,
                    f"Congregation of {name}, a place of worship {where(ward)} (source: OS "
                    "OpenMap – Local, amended by Trafford Council, 2018).")
        vid = d.venue(TRAFFORD, f"places_of_worship:venue:{pid}", name, [], None, None, loc,
                      "place_of_worship", ())
        d.asset(TRAFFORD, f"places_of_worship:{pid}", org, vid, "group",
                f"Worship and community at {name}",
                f"Place of worship {where(ward)} (source: OS OpenMap – Local via Trafford Data Lab, "
                "2018). The source records the building only, not services or groups held there.",
                [("faith",)], ["connect", "take_notice"])
        note("assets_trafford_places_of_worship")

    # ------------------------------------------------------------ colleges
    for r in read_csv(os.path.join(tdir, "trafford_schools_and_colleges.csv")):
        name = clean(r["name"])
        rtype = clean(r["type"])
        lo, hi = clean(r["lowest_admission_age"]), clean(r["highest_admission_age"])
        lo, hi = (int(lo) if lo and lo.isdigit() else None), (int(hi) if hi and hi.isdigit() else None)
        # Only colleges serving adults: DfE type 'Colleges' (FE) or post-19 provision.
        if not (rtype == "Colleges" or (lo is not None and lo >= 19)):
            note("schools_skipped")
            continue
        loc = parse_coord(r["lat"], r["lon"])
        if not loc:
            note("rows_dropped_no_coordinates", f"college {name}")
            continue
        pc = norm_postcode(r["postcode"])
        urn = r["unique_reference_number"]
        org = d.org(TRAFFORD, f"org:colleges:{urn}", name,
                    f"{'Further education college' if rtype == 'Colleges' else 'College for adults aged ' + str(lo) + '-' + str(hi)} "
                    f"in Trafford, DfE URN {urn} (source: DfE Get Information about Schools via "
                    "Trafford Data Lab, 2024).", website=r["website"])
        vid = d.venue(TRAFFORD, f"colleges:venue:{urn}", name, [], None, pc, loc, "college", (),
                      website=r["website"])
        elig = {"min_age": lo, "max_age": hi if hi is not None and hi < 99 else None}
        d.asset(TRAFFORD, f"colleges:{urn}", org, vid, "course", f"Courses at {name}",
                f"{rtype} (DfE Get Information about Schools, URN {urn}); admits ages {lo}"
                f"{'+' if (hi or 0) >= 99 else '-' + str(hi)}. The source lists no courses.",
                [("further education", "college courses"), ("adult learning", "learning")],
                ["keep_learning", "connect"], eligibility=elig, contact=contact(url=r["website"]))
        note("assets_trafford_colleges")

    # ------------------------------------------------------------ mental-health services
    build_trafford_mental_health(d, tdir)


# Mental-health services: a few, as contrast (dedicated premises -> venue type
# mental_health_service, non_stigmatised false) and one group that meets in a library.
# provider: (org source_id, org name, org description)
SELF_HELP = ("org:self-help-services", "Self Help Services",
             "Mental-health charity running Trafford Self Help Services groups and peer support "
             "(source: Trafford mental-health services list, 2018; website selfhelpservices.org.uk).")
BLUESCI = ("org:bluesci", "blueSCI",
           "Organisation offering Wellbeing Practitioner sessions and arts, crafts and music "
           "activities at Trafford wellbeing centres (source: Trafford mental-health services list, 2018).")
MH_SELECTION = {
    "Old Trafford Wellbeing Centre": {"provider": BLUESCI, "kind": "activity", "venue": "own",
                                      "interests": [("arts", "art"), ("crafts", "craft"), ("music",)],
                                      "five_ways": ["connect", "keep_learning", "take_notice"]},
    "Broomwood Wellbeing Centre": {"provider": BLUESCI, "kind": "activity", "venue": "own",
                                   "interests": [("arts", "art"), ("crafts", "craft"), ("music",)],
                                   "five_ways": ["connect", "keep_learning", "take_notice"]},
    "Zion Anxiety Group": {"provider": SELF_HELP, "kind": "group", "venue": "own",
                           "venue_name": "Zion Centre",
                           "interests": [("anxiety group", "peer support"), ("peer support",)],
                           "five_ways": ["connect"], "hours_from_description": True,
                           "drop_in": True},
    "Zion Centre (Peer Support)": {"provider": SELF_HELP, "kind": "group", "venue": "own",
                                   "venue_name": "Zion Centre", "interests": [("peer support",)],
                                   "five_ways": ["connect"], "title": "Peer support at the Zion Centre"},
    "Urmston Depression Group (Trafford Self Help Services)": {
        "provider": SELF_HELP, "kind": "group", "venue": "library",
        "title": "Urmston Depression Group",
        "interests": [("depression group", "peer support"), ("peer support",)],
        "five_ways": ["connect"], "hours_from_description": True, "drop_in": True},
    "Open Studios CIC": {"provider": None, "kind": "course", "venue": "own",
                         "venue_type": "arts_venue", "non_stigmatised": None,
                         "interests": [("arts", "art")],
                         "five_ways": ["keep_learning", "connect", "take_notice"],
                         "title": "Art classes and workshops at Open Studios"},
    "G-Force": {"provider": None, "kind": "group", "venue": "own", "venue_type": "other",
                "non_stigmatised": None,
                "interests": [("crafts", "craft"), ("men s sheds", "men's sheds", "mens sheds")],
                "five_ways": ["connect", "keep_learning"]},
}


def build_trafford_mental_health(d, tdir):
    rows = read_csv(os.path.join(tdir, "trafford_mental_health_services.csv"))
    geo = {}
    for f in read_json(os.path.join(tdir, "trafford_mental_health_services.geojson"))["features"]:
        p = f["properties"]
        geo[(p["name"], p["postcode"])] = f
    for r in rows:
        name = clean(r["name"])
        spec = MH_SELECTION.get(name)
        if spec is None:
            note("mental_health_services_not_selected")
            continue
        feat = geo.get((r["name"], r["postcode"]))
        if not feat:
            note("rows_dropped_no_coordinates", f"mental health {name}")
            continue
        lon, lat = feat["geometry"]["coordinates"][:2]
        loc = parse_coord(lat, lon)
        pc = norm_postcode(r["postcode"])
        lines, town = split_address(r["address"])
        desc = clean(r["description"])
        if spec["provider"]:
            org = d.org(TRAFFORD, *spec["provider"], website=None)
        else:
            org = d.org(TRAFFORD, f"org:mental_health:{slug(name)}", name,
                        f"{desc} (source: Trafford mental-health services list, 2018).",
                        website=r["website"], phone=r["telephone"])
        if spec["venue"] == "library":
            vid = d.find_venue(lines[0], pc, loc)
            assert vid and d.venues[vid]["venue_type"] == "library", name
            note("mental_health_at_mainstream_venue", f"{name} -> {d.venues[vid]['name']}")
        else:
            vname = spec.get("venue_name", name)
            vtype = spec.get("venue_type", "mental_health_service")
            ns = spec.get("non_stigmatised", False if vtype == "mental_health_service" else None)
            vid = d.venue(TRAFFORD, f"mental_health:venue:{slug(vname + ' ' + (pc or ''))}", vname,
                          lines, town, pc, loc, vtype, (), non_stigmatised=ns,
                          website=r["website"] if vname == name else None,
                          phone=r["telephone"] if vname == name else None)
        sessions = []
        if spec.get("hours_from_description"):
            m = re.search(rf"(?:meets|group)\s+on\s+({DAY_RE}.*?\d(?:am|pm))", desc, re.I)
            if m:
                sessions, _ = parse_free_text_hours(m.group(1), name)
            else:
                note("hours_text_unparseable", f"{name}: {desc}")
        d.asset(TRAFFORD, f"mental_health:{slug(name)}", org, vid, spec["kind"],
                spec.get("title", name), f"{desc} (source: Trafford mental-health services list, 2018)",
                spec["interests"], spec["five_ways"],
                schedule={"weekly": sessions, "dated": [], "notes": None},
                newcomers={"drop_in": True} if spec.get("drop_in") else None,
                contact=contact(url=r["website"], phone=r["telephone"]))
        note("assets_trafford_mental_health")


def build_york(d, data, lh_york):
    explore = d.org(LIBHACKED, "org:explore-york", "Explore York Libraries and Archives",
                    "Runs City of York Council's public libraries, reading cafés and archives "
                    "under commission (source: Libraries Hacked, library type CL = commissioned "
                    "library; URLs at exploreyork.org.uk).",
                    website="https://www.exploreyork.org.uk")
    for r in lh_york:
        name = clean(r["Library name"])
        if clean(r["Year closed"]):
            note("york_libraries_skipped_closed", f"{name} (closed {r['Year closed']})")
            continue
        loc = parse_coord(r["latitude"], r["longitude"])
        if not loc:
            note("rows_dropped_no_coordinates", f"york library {name}")
            continue
        pc = norm_postcode(r["Postcode"])
        lines = [clean(r["Address 1"]).rstrip(",")] if clean(r["Address 1"]) else []
        town = clean(r["Address 2"])
        key = clean(r["Unique property reference number"]) or slug(name)
        is_cafe = bool(re.search(r"caf[eé]", name, re.I))  # reading cafés: still venue type library
        vid = d.venue(LIBHACKED, f"libraries:venue:{key}", name, lines, town, pc, loc,
                      "library", (), website=r["URL"])
        sessions = parse_libraries_hacked_hours(r, name)
        desc_parts = [f"{'Reading café run by' if is_cafe else 'Public library run by'} Explore "
                      "York Libraries and Archives for City of York Council (source: Libraries "
                      "Hacked; York entries last updated 2023-07)."]
        if clean(r["Co-located with"]):
            desc_parts.append(f"Co-located with: {clean(r['Co-located with'])}.")
        if clean(r["Notes"]):
            desc_parts.append(f"Notes: {clean(r['Notes'])}")
        sched_note = "Staffed hours (Libraries Hacked, York file last updated 2023-07)."
        if r["Notes"] and "seasonal" in r["Notes"].lower():
            sched_note += " The source says these are seasonal, not permanent, opening hours."
        d.asset(LIBHACKED, f"libraries:{key}", explore, vid, "activity", name, " ".join(desc_parts),
                [("reading", "books"), ("libraries", "library")], ["connect", "keep_learning", "take_notice"],
                schedule={"weekly": sessions, "dated": [], "notes": sched_note},
                contact=contact(url=r["URL"], email=r["Email address"]))
        note("assets_york_libraries")

    # colleges and universities from OS Open Names
    rows = read_csv(os.path.join(data, "os-open-names-york", "york_os_open_names.csv"))
    for r in rows:
        lt = r["local_type"]
        if lt not in ("Further Education", "Higher or University Education"):
            if "Further Education" in lt:
                note("york_open_names_skipped_schools", r["name"])
            continue
        name = clean(r["name"])
        if lt == "Higher or University Education" and clean(r["name2"]):
            # buildings/campuses of a university listed separately (name2 names the parent)
            note("york_open_names_skipped_university_buildings", f"{name} ({r['name2']})")
            continue
        loc = parse_coord(r["latitude"], r["longitude"])
        if not loc:
            note("rows_dropped_no_coordinates", f"york college {name}")
            continue
        kind_txt = "Further education college" if lt == "Further Education" else "University"
        place = clean(r["populated_place"])
        org = d.org(OPEN_NAMES, f"org:{r['os_id']}", name,
                    f"{kind_txt} in York (source: OS Open Names, local type '{lt}').")
        vid = d.venue(OPEN_NAMES, f"colleges:venue:{r['os_id']}", name, [],
                      place if place and place != "York" else "York", None, loc, "college", ())
        d.asset(OPEN_NAMES, f"colleges:{r['os_id']}", org, vid, "course", f"Courses at {name}",
                f"{kind_txt} in York, postcode district {r['postcode_district']} (source: OS Open "
                "Names). The source lists no courses, ages or contacts.",
                [("further education", "college courses") if lt == "Further Education" else
                 ("university", "higher education"), ("adult learning", "learning")],
                ["keep_learning", "connect"])
        note("assets_york_colleges")


# --------------------------------------------------------------------------------------------
# Example listings (illustrative, NOT real sessions). Each refers to a real venue by its
# (source, venue source_id) and is run by the placeholder "example" organisation.
# --------------------------------------------------------------------------------------------

EXAMPLE_PREFIX = "Example listing (illustrative, not a real session): "


def w(day, start, end, valid_from=None, valid_until=None):
    return {"day": day, "start": start, "end": end, "valid_from": valid_from, "valid_until": valid_until}


def dt(date, start, end):
    return {"date": date, "start": start, "end": end}


EXAMPLES = [
    {"key": "walking-football-move-urmston", "venue": (TRAFFORD, "leisure_centres:venue:move-urmston"),
     "kind": "activity", "title": "Walking football for adults",
     "text": "a gentle, no-running version of football for adults who want to get back into sport at "
             "their own pace. Bibs and balls provided; wear trainers. Step-free access to the sports "
             "hall; accessible toilet nearby.",
     "interests": [("walking football", "football")], "five_ways": ["be_active", "connect"],
     "weekly": [w("wed", "11:00", "12:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3 a session, £2 concession."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 20, "typical_group_size": 12}},
    {"key": "badminton-sale-leisure", "venue": (TRAFFORD, "leisure_centres:venue:sale-leisure-centre"),
     "kind": "activity", "title": "Beginners' social badminton",
     "text": "relaxed badminton for beginners and returners, with rackets to borrow. Players are "
             "paired up on arrival. Lift to the sports hall; accessible changing room.",
     "interests": [("badminton",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("fri", "10:00", "11:00")],
     "cost": {"free": False, "amount_pence": 450, "concession_pence": 300,
              "notes": "Example: £4.50, £3 concession."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": False, "booking_required": False},
     "capacity": {"max_participants": 16, "typical_group_size": 10}},
    {"key": "knit-and-natter-stretford-library", "venue": (TRAFFORD, "libraries:venue:kingsway-m32-8ap"),
     "kind": "group", "title": "Knit and natter",
     "text": "bring your knitting or crochet (or learn from scratch with donated wool) and chat over "
             "a cup of tea. Step-free entrance; quiet corner available.",
     "interests": [("knitting", "crafts", "craft")], "five_ways": ["connect", "keep_learning", "take_notice"],
     "weekly": [w("thu", "14:00", "15:30")],
     "cost": {"free": True, "notes": "Example: free; tea and biscuits by donation."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 8}},
    {"key": "conservation-volunteering-walton-park", "venue": (TRAFFORD, "green_flags:venue:walton-park-sale"),
     "kind": "volunteering", "title": "Park conservation volunteering morning",
     "text": "help look after the park: planting, litter picking and path clearing with a friendly "
             "team. Tools, gloves and a hot drink provided; no experience needed. Paths are mostly "
             "level but some tasks are on grass.",
     "interests": [("conservation volunteering", "conservation"), ("gardening",)],
     "five_ways": ["give", "connect", "be_active", "take_notice"],
     "dated": [dt("2027-03-06", "10:00", "12:30"), dt("2027-04-03", "10:00", "12:30"),
               dt("2027-05-01", "10:00", "12:30"), dt("2027-06-05", "10:00", "12:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": False, "taster_session": True, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 15, "typical_group_size": 10}},
    {"key": "community-choir-stretford-public-hall", "venue": (TRAFFORD, "community_hubs:venue:stretford"),
     "kind": "group", "title": "Community choir – no auditions",
     "text": "a welcoming choir singing pop, folk and gospel songs; no need to read music. "
             "Step-free access to the main hall; hearing loop in the hall.",
     "interests": [("choir", "singing")], "five_ways": ["connect", "keep_learning"],
     "weekly": [w("mon", "19:00", "20:30")],
     "cost": {"free": False, "amount_pence": 400, "concession_pence": 200,
              "notes": "Example: £4 a session, £2 concession; first session free."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 40, "typical_group_size": 25}},
    {"key": "english-maths-trafford-college", "venue": (TRAFFORD, "colleges:venue:130519"),
     "kind": "course", "title": "English and maths for adults (evening)",
     "text": "a friendly evening course for adults who want to brush up their English and maths, "
             "working towards Functional Skills. Small classes; an initial chat to find the right "
             "level. Step-free access and accessible toilets in the main building.",
     "interests": [("adult learning", "adult education", "learning"), ("english", "literacy"), ("maths", "numeracy")],
     "five_ways": ["keep_learning", "connect"],
     "weekly": [w("tue", "18:00", "20:00", "2027-01-12", "2027-03-30")],
     "cost": {"free": True, "notes": "Example: free for adults without a GCSE grade 4 in English or maths."},
     "eligibility": {"min_age": 19, "max_age": None, "criteria": "Example: adults aged 19+."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 14, "typical_group_size": 10}},
    {"key": "allotment-volunteering-moss-lane", "venue": (TRAFFORD, "allotments:venue:__FIRST_ALLOTMENT__"),
     "kind": "volunteering", "title": "Community plot volunteering",
     "text": "help grow vegetables on a shared community plot; produce is shared among volunteers. "
             "Gloves and tools provided. Ground is uneven; no accessible toilet on site.",
     "interests": [("gardening",), ("allotment", "allotments")], "five_ways": ["give", "be_active", "connect", "take_notice"],
     "weekly": [w("sat", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 10, "typical_group_size": 6}},
    {"key": "art-group-hope-centre", "venue": (TRAFFORD, "community_hubs:venue:partington"),
     "kind": "group", "title": "Drop-in art group",
     "text": "painting, drawing and collage at your own pace with materials provided. Step-free "
             "entrance; quiet room available if the main room feels busy.",
     "interests": [("arts", "art")], "five_ways": ["connect", "take_notice", "keep_learning"],
     "weekly": [w("wed", "13:00", "15:00")],
     "cost": {"free": False, "amount_pence": 200, "concession_pence": 100,
              "notes": "Example: £2, £1 concession, materials included."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": False, "booking_required": False},
     "capacity": {"max_participants": 12, "typical_group_size": 8}},
    {"key": "reading-group-altrincham-library", "venue": (TRAFFORD, "libraries:venue:2-pott-street-wa14-1ah"),
     "kind": "group", "title": "Monthly reading group",
     "text": "a friendly book group that reads one novel a month; copies can be borrowed from the "
             "library. Step-free access; large-print copies on request.",
     "interests": [("reading", "books")], "five_ways": ["connect", "keep_learning"],
     "dated": [dt("2027-02-04", "18:00", "19:30"), dt("2027-03-04", "18:00", "19:30"),
               dt("2027-04-01", "18:00", "19:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 15, "typical_group_size": 9}},
    # ---- York
    {"key": "knit-and-natter-tang-hall", "venue": (LIBHACKED, "libraries:venue:10093956473"),
     "kind": "group", "title": "Knit and natter",
     "text": "a weekly knitting and crochet circle; beginners are taught, wool and needles to borrow. "
             "Step-free access and accessible toilet in the building.",
     "interests": [("knitting", "crafts", "craft")], "five_ways": ["connect", "keep_learning", "take_notice"],
     "weekly": [w("tue", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 10}},
    {"key": "chat-and-cuppa-rowntree-park", "venue": (LIBHACKED, "libraries:venue:100050580839"),
     "kind": "group", "title": "Chat and a cuppa",
     "text": "an informal social meet-up for anyone who would like some company; a volunteer host "
             "welcomes newcomers. Step-free access to the café.",
     "interests": [("social", "socialising", "community")], "five_ways": ["connect"],
     "weekly": [w("thu", "14:00", "15:30")],
     "cost": {"free": True, "notes": "Example: free; drinks at café prices."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 6}},
    {"key": "walking-group-york-explore", "venue": (LIBHACKED, "libraries:venue:10034765095"),
     "kind": "group", "title": "Saturday wellbeing walk",
     "text": "a 60–90 minute walk at a gentle pace along the riverside, starting and finishing at "
             "the library. Mostly level, surfaced paths.",
     "interests": [("walking",)], "five_ways": ["be_active", "connect", "take_notice"],
     "weekly": [w("sat", "10:00", "11:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 20, "typical_group_size": 12}},
    {"key": "digital-skills-acomb", "venue": (LIBHACKED, "libraries:venue:100052211617"),
     "kind": "course", "title": "Digital skills drop-in",
     "text": "one-to-one help with phones, tablets, email and online forms from patient volunteers. "
             "Bring your own device or use a library computer. Step-free access.",
     "interests": [("digital skills", "computers")], "five_ways": ["keep_learning", "connect"],
     "weekly": [w("fri", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": False, "booking_required": False},
     "capacity": {"max_participants": 8, "typical_group_size": 5}},
    {"key": "library-volunteer-clifton", "venue": (LIBHACKED, "libraries:venue:100052167876"),
     "kind": "volunteering", "title": "Library volunteer (shelving and welcoming visitors)",
     "text": "help keep the library tidy and welcome visitors for a couple of hours a week; full "
             "induction and a named volunteer coordinator. Step-free access.",
     "interests": [("volunteering",), ("reading", "books")], "five_ways": ["give", "connect"],
     "weekly": [w("wed", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free; travel expenses reimbursed."},
     "eligibility": {"min_age": 16, "max_age": None, "criteria": "Example: aged 16+."},
     "newcomers": {"drop_in": False, "taster_session": True, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 2, "typical_group_size": None}},
    {"key": "english-maths-york-college", "venue": (OPEN_NAMES, "colleges:venue:osgb4000000073317581"),
     "kind": "course", "title": "English and maths for adults",
     "text": "part-time daytime classes for adults improving their English and maths, with a "
             "friendly initial assessment. Step-free access and a quiet study room.",
     "interests": [("adult learning", "adult education", "learning"), ("english", "literacy"), ("maths", "numeracy")],
     "five_ways": ["keep_learning", "connect"],
     "weekly": [w("mon", "13:00", "15:00", "2027-01-11", "2027-03-29"),
                w("wed", "13:00", "15:00", "2027-01-11", "2027-03-29")],
     "cost": {"free": True, "notes": "Example: free for eligible adults."},
     "eligibility": {"min_age": 19, "max_age": None, "criteria": "Example: adults aged 19+."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 14, "typical_group_size": 10}},
    {"key": "horticulture-taster-askham-bryan", "venue": (OPEN_NAMES, "colleges:venue:osgb4000000073318099"),
     "kind": "course", "title": "Horticulture taster morning",
     "text": "a hands-on introduction to growing plants, in the college glasshouses. Wear outdoor "
             "shoes. Accessible parking near the glasshouses.",
     "interests": [("gardening",), ("adult learning", "adult education", "learning")],
     "five_ways": ["keep_learning", "be_active", "take_notice"],
     "dated": [dt("2027-05-15", "10:00", "13:00"), dt("2027-06-12", "10:00", "13:00")],
     "cost": {"free": False, "amount_pence": 500, "concession_pence": 250,
              "notes": "Example: £5, £2.50 concession."},
     "newcomers": {"drop_in": False, "taster_session": True, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 12, "typical_group_size": 10}},
    {"key": "community-choir-new-earswick", "venue": (LIBHACKED, "libraries:venue:200004758552"),
     "kind": "group", "title": "Folk Hall community choir",
     "text": "a relaxed community choir for all voices; no auditions and no need to read music. "
             "Step-free access to the hall; hearing loop.",
     "interests": [("choir", "singing")], "five_ways": ["connect", "keep_learning"],
     "weekly": [w("wed", "19:00", "20:30")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 150,
              "notes": "Example: £3, £1.50 concession."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 35, "typical_group_size": 20}},
    # ---- Examples that give the audience rules real cases (who a session is for). Trafford,
    # ---- the Manchester side of Trafford (Old Trafford M16, Hulme M15, Stretford east), York.
    {"key": "women-only-swim-stretford-sports-village",
     "venue": (TRAFFORD, "leisure_centres:venue:stretford-sports-village-chester-centre"),
     "kind": "activity", "title": "Women-only swim session",
     "text": "a relaxed women-only swim with female lifeguards and the poolside blinds down; lanes "
             "for steady swimmers and a shallow area for anyone building confidence. Lift to the "
             "pool level; accessible changing room.",
     "interests": [("swimming",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("wed", "20:00", "21:00"), w("sun", "16:30", "17:30")],
     "cost": {"free": False, "amount_pence": 450, "concession_pence": 280,
              "notes": "Example: £4.50 a swim, £2.80 concession."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 40, "typical_group_size": 20},
     "audience": {"gender": "women_only"}},
    {"key": "mens-shed-partington", "venue": (TRAFFORD, "community_hubs:venue:partington"),
     "kind": "group", "title": "Men's shed: woodwork and repairs",
     "text": "a shed for men to make, mend and chat: woodwork, small repairs and bike fixing over a "
             "brew. No experience needed; tools and safety kit provided. Step-free access to the "
             "workshop room.",
     "interests": [("men's shed",), ("woodwork",), ("repair cafe", "upcycling")],
     "five_ways": ["connect", "keep_learning", "give"],
     "weekly": [w("tue", "10:00", "13:00"), w("thu", "10:00", "13:00")],
     "cost": {"free": True, "notes": "Example: free; tea by donation."},
     "eligibility": {"min_age": 18, "max_age": None, "criteria": "Example: men aged 18+."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 12, "typical_group_size": 8},
     "audience": {"gender": "men_only"}},
    {"key": "postnatal-yoga-altrincham-hub", "venue": (TRAFFORD, "community_hubs:venue:altrincham"),
     "kind": "activity", "title": "Postnatal yoga with your baby",
     "text": "gentle yoga for mums and their babies, from six weeks after the birth until your baby "
             "is crawling, with time to chat over a drink afterwards. Mats provided; bring a blanket "
             "for your baby. Step-free access; baby-changing facilities.",
     "interests": [("yoga",), ("baby yoga",)], "five_ways": ["be_active", "connect", "take_notice"],
     "weekly": [w("tue", "11:00", "12:00")],
     "cost": {"free": False, "amount_pence": 600, "concession_pence": 300,
              "notes": "Example: £6 a class, £3 concession; first class free."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: mothers with babies from six weeks old until crawling."},
     "newcomers": {"drop_in": False, "taster_session": True, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 10, "typical_group_size": 8},
     "audience": {"gender": "women_only", "groups": ["pregnant_postnatal", "parents_and_babies"],
                  "groups_only": True}},
    {"key": "antenatal-class-stretford-childrens-centre",
     "venue": (TRAFFORD, "childrens_centres:venue:22963"),
     "kind": "course", "title": "Antenatal class: getting ready for your baby",
     "text": "a four-week evening course for expectant parents, run with local midwives: labour and "
             "birth, feeding, and the first weeks at home, with time to meet other parents-to-be. "
             "Birth partners welcome. Step-free access.",
     "interests": [("antenatal support",), ("learning",)], "five_ways": ["keep_learning", "connect"],
     "dated": [dt("2027-02-02", "18:30", "20:30"), dt("2027-02-09", "18:30", "20:30"),
               dt("2027-02-16", "18:30", "20:30"), dt("2027-02-23", "18:30", "20:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: expectant parents from about 28 weeks, and their birth partners."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 24, "typical_group_size": 16},
     "audience": {"groups": ["pregnant_postnatal"], "groups_only": True}},
    {"key": "baby-singing-urmston-library", "venue": (TRAFFORD, "libraries:venue:unit-34-golden-way-m41-0na"),
     "kind": "group", "title": "Parent and baby singing",
     "text": "songs, rhymes and a chat for parents and carers with babies up to 18 months; dads, "
             "grandparents and childminders welcome. Buggy parking; step-free access.",
     "interests": [("singing",), ("baby group",)], "five_ways": ["connect", "take_notice"],
     "weekly": [w("wed", "10:30", "11:15")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: babies up to 18 months with a parent or carer."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 40, "typical_group_size": 24},
     "audience": {"groups": ["parents_and_babies"], "groups_only": True}},
    {"key": "dementia-friendly-singing-sale-waterside", "venue": (TRAFFORD, "libraries:venue:sale-waterside-m33-7zf"),
     "kind": "group", "title": "Singing for memory (dementia-friendly)",
     "text": "a friendly singing group for people living with dementia and the family members or "
             "friends who care for them: well-known songs, words on a big screen, then tea and cake. "
             "Step-free access; hearing loop in the studio.",
     "interests": [("singing",), ("dementia cafe",)], "five_ways": ["connect", "take_notice"],
     "weekly": [w("wed", "14:00", "15:30")],
     "cost": {"free": False, "amount_pence": 200, "concession_pence": None,
              "notes": "Example: £2 for the person and their carer together."},
     "newcomers": {"drop_in": False, "taster_session": True, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 30, "typical_group_size": 20},
     "audience": {"groups": ["dementia", "carers"], "groups_only": True}},
    {"key": "carers-cafe-sale-community-hub", "venue": (TRAFFORD, "community_hubs:venue:sale"),
     "kind": "group", "title": "Carers' café",
     "text": "a relaxed morning for unpaid carers to take a break, share tips and get information, "
             "with a carers' support worker on hand. Bring the person you care for if you need to; "
             "there is a quiet room. Step-free access.",
     "interests": [("carers",), ("coffee morning",)], "five_ways": ["connect"],
     "weekly": [w("thu", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 10},
     "audience": {"groups": ["carers"], "groups_only": True}},
    {"key": "learning-disability-disco-altrincham-hub", "venue": (TRAFFORD, "community_hubs:venue:altrincham"),
     "kind": "group", "title": "Friday night disco for adults with learning disabilities",
     "text": "a lively disco with a DJ, soft drinks and a chill-out room, for adults with a learning "
             "disability; support workers and carers come free. Step-free access; accessible toilet.",
     "interests": [("disco",), ("social evening",)], "five_ways": ["connect", "be_active"],
     "weekly": [w("fri", "19:00", "21:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": None,
              "notes": "Example: £3; support workers and carers free."},
     "eligibility": {"min_age": 18, "max_age": None,
                     "criteria": "Example: adults (18+) with a learning disability, and their supporters."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 60, "typical_group_size": 35},
     "audience": {"groups": ["learning_disability"], "groups_only": True}},
    {"key": "wheelchair-basketball-move-altrincham", "venue": (TRAFFORD, "leisure_centres:venue:move-altrincham"),
     "kind": "activity", "title": "Wheelchair basketball: open session",
     "text": "wheelchair basketball for disabled and non-disabled players of all abilities; sports "
             "wheelchairs provided and coaching for beginners. Changing Places toilet and accessible "
             "parking at the centre.",
     "interests": [("wheelchair basketball",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("sat", "10:00", "12:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3, £2 concession; chair hire included."},
     "eligibility": {"min_age": 14, "max_age": None, "criteria": "Example: ages 14+."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 20, "typical_group_size": 12},
     "audience": {"groups": ["disabled_people"]}},
    {"key": "exercise-referral-talbot-centre",
     "venue": (TRAFFORD, "leisure_centres:venue:stretford-sports-village-talbot-centre"),
     "kind": "activity", "title": "GP exercise referral: 12-week gym programme",
     "text": "a supervised 12-week gym and circuits programme for adults referred by their GP, "
             "practice nurse or physiotherapist because of a health condition (for example heart "
             "disease, diabetes, high blood pressure or joint pain). An instructor sets your plan at a "
             "one-to-one first session. Referral needed: you cannot book without one. "
             "Wheelchair-accessible gym; accessible toilet.",
     "interests": [("gym",), ("fitness",)], "five_ways": ["be_active", "keep_learning"],
     "weekly": [w("mon", "17:30", "18:30"), w("wed", "17:30", "18:30"), w("sat", "10:00", "11:00")],
     "cost": {"free": False, "amount_pence": 200, "concession_pence": None,
              "notes": "Example: £2 a session for the 12 weeks."},
     "eligibility": {"min_age": 16, "max_age": None,
                     "criteria": "Example: adults 16+ referred by a health professional."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 12, "typical_group_size": 8},
     "audience": {"groups": ["long_term_conditions"], "referral_only": True}},
    {"key": "cardiac-rehab-sale-leisure-centre", "venue": (TRAFFORD, "leisure_centres:venue:sale-leisure-centre"),
     "kind": "activity", "title": "Cardiac rehab exercise class (phase IV)",
     "text": "a long-term exercise class for people who have finished hospital cardiac rehabilitation "
             "after a heart attack, heart surgery or heart failure, led by a specialist instructor. "
             "Referral by the cardiac rehab team or GP required. Lift to the studio; accessible "
             "changing room.",
     "interests": [("cardiac rehab",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("tue", "10:00", "11:00"), w("thu", "10:00", "11:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3, £2 concession."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: people who have completed phase III cardiac rehab, on referral."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 16, "typical_group_size": 12},
     "audience": {"groups": ["long_term_conditions"], "groups_only": True, "referral_only": True}},
    {"key": "strength-and-balance-age-uk-urmston", "venue": (TRAFFORD, "community_hubs:venue:urmston"),
     "kind": "activity", "title": "Strength and balance (falls prevention)",
     "text": "a gentle, progressive class to build leg strength and steadiness, standing with a chair "
             "for support or seated; aimed at people over 60 who feel unsteady or have had a fall. "
             "Step-free access; accessible toilet.",
     "interests": [("falls prevention",), ("chair exercise",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("tue", "11:00", "12:00"), w("fri", "11:00", "12:00")],
     "cost": {"free": False, "amount_pence": 200, "concession_pence": 100,
              "notes": "Example: £2, £1 concession."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: aimed at people over 60; others welcome."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 15, "typical_group_size": 10},
     "audience": {"groups": ["older_people"]}},
    {"key": "tea-dance-stretford-public-hall", "venue": (TRAFFORD, "community_hubs:venue:stretford"),
     "kind": "group", "title": "Over-60s tea dance",
     "text": "ballroom and sequence dancing to live organ music, with tea and cake at half time; come "
             "to dance or just to listen and chat. No partner needed. Step-free access to the main "
             "hall; hearing loop.",
     "interests": [("tea dance",), ("ballroom",)], "five_ways": ["connect", "be_active"],
     "weekly": [w("thu", "14:00", "16:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3, £2 concession, tea included."},
     "eligibility": {"min_age": None, "max_age": None, "criteria": "Example: for over-60s."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 80, "typical_group_size": 40},
     "audience": {"groups": ["older_people"]}},
    {"key": "young-peoples-art-open-studios", "venue": (TRAFFORD, "mental_health:venue:open-studios-cic-wa14-1ds"),
     "kind": "group", "title": "Young people's art group (16–25)",
     "text": "a relaxed after-college art session for 16 to 25 year olds: painting, printmaking and "
             "zines with a supportive artist, and no pressure to show your work. Materials provided. "
             "Ground-floor studio.",
     "interests": [("art group",), ("painting",), ("printmaking",)],
     "five_ways": ["connect", "take_notice", "keep_learning"],
     "weekly": [w("wed", "17:00", "19:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": 16, "max_age": 25, "criteria": "Example: ages 16–25."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 12, "typical_group_size": 8},
     "audience": {"groups": ["young_people"], "groups_only": True}},
    {"key": "adult-swimming-lessons-move-urmston", "venue": (TRAFFORD, "leisure_centres:venue:move-urmston"),
     "kind": "course", "title": "Adult beginners' swimming lessons",
     "text": "small-group lessons for adults who never learnt to swim or want to feel safer in the "
             "water, in the learner pool with a patient instructor. Mixed group. Pool hoist; "
             "accessible changing room.",
     "interests": [("swimming",)], "five_ways": ["be_active", "keep_learning"],
     "weekly": [w("thu", "19:00", "19:45", "2027-01-14", "2027-03-04")],
     "cost": {"free": False, "amount_pence": 500, "concession_pence": 350,
              "notes": "Example: £5 a lesson, £3.50 concession."},
     "eligibility": {"min_age": 18, "max_age": None, "criteria": "Example: adults 18+."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 8, "typical_group_size": 6},
     "audience": {"gender": "mixed"}},
    {"key": "womens-boxing-fitness-old-trafford",
     "venue": (TRAFFORD, "leisure_centres:venue:stretford-sports-village-old-trafford-sports-barn"),
     "kind": "activity", "title": "Women's boxing fitness",
     "text": "a women-only boxing fitness class with a female coach: pad work, skipping and circuits, "
             "no sparring and no experience needed. Gloves and pads to borrow. Wheelchair-accessible "
             "sports hall.",
     "interests": [("boxercise",), ("boxing",), ("fitness",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("wed", "18:30", "19:30"), w("sat", "11:00", "12:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3, £2 concession."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 20, "typical_group_size": 14},
     "audience": {"gender": "women_only"}},
    {"key": "lgbtq-social-run-seymour-park", "venue": (TRAFFORD, "greenspaces:venue:seymour-park"),
     "kind": "group", "title": "LGBTQ+ social run club",
     "text": "a friendly run club for LGBTQ+ people and allies: 5 km loops at a chatty pace with a "
             "back marker so no one is left behind, then a drink nearby. Beginners welcome. Meet at "
             "the park gates; paths are flat and lit.",
     "interests": [("running",), ("lgbtq+",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("tue", "19:00", "20:00"), w("sat", "09:30", "10:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 15},
     "audience": {"groups": ["lgbtq"]}},
    {"key": "refugee-conversation-cafe-old-trafford", "venue": (TRAFFORD, "libraries:venue:1-st-brides-way-m16-9nw"),
     "kind": "group", "title": "Conversation café for refugees and new arrivals",
     "text": "practise everyday English over tea with friendly volunteers, get help finding classes "
             "and services, and meet other people new to the area. For refugees and people seeking "
             "asylum; local residents are welcome to come and chat. All levels; children welcome. "
             "Step-free access.",
     "interests": [("conversation group",), ("esol",), ("refugees",)],
     "five_ways": ["connect", "keep_learning"],
     "weekly": [w("fri", "13:00", "15:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 15},
     "audience": {"groups": ["refugees_and_asylum_seekers"]}},
    {"key": "dads-and-babies-st-johns-centre", "venue": (TRAFFORD, "community_hubs:venue:old-trafford"),
     "kind": "group", "title": "Dads and babies Saturday group",
     "text": "a Saturday morning play-and-chat group for dads, grandads and male carers with babies "
             "and toddlers up to 3; toys, snacks and coffee provided. Step-free access; baby-changing.",
     "interests": [("parent and toddler group",), ("family activities",)], "five_ways": ["connect"],
     "weekly": [w("sat", "10:00", "11:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": None, "max_age": None,
                     "criteria": "Example: dads and male carers with children up to 3."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 30, "typical_group_size": 12},
     "audience": {"gender": "men_only", "groups": ["parents_and_babies"], "groups_only": True}},
    {"key": "spoken-word-young-people-old-trafford", "venue": (TRAFFORD, "libraries:venue:1-st-brides-way-m16-9nw"),
     "kind": "group", "title": "Spoken word and rap workshop (16–25)",
     "text": "write and perform lyrics, poems and bars with a local spoken-word artist; no experience "
             "needed, and you never have to perform if you don't want to. For 16 to 25 year olds. "
             "Step-free access.",
     "interests": [("rap",), ("poetry",), ("creative writing",)],
     "five_ways": ["connect", "keep_learning"],
     "weekly": [w("thu", "17:30", "19:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": 16, "max_age": 25, "criteria": "Example: ages 16–25."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 15, "typical_group_size": 10},
     "audience": {"groups": ["young_people"], "groups_only": True}},
    {"key": "womens-sewing-zion-centre", "venue": (TRAFFORD, "mental_health:venue:zion-centre-m15-4zy"),
     "kind": "group", "title": "Women's sewing and chat",
     "text": "a women-only sewing circle: bring a mending job or learn to use a sewing machine, with "
             "tea and conversation. Machines and fabric provided; all levels. Ground-floor room.",
     "interests": [("sewing",), ("women's group",)], "five_ways": ["connect", "keep_learning"],
     "weekly": [w("mon", "10:30", "12:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 12, "typical_group_size": 8},
     "audience": {"gender": "women_only"}},
    {"key": "mens-walk-and-talk-longford-park", "venue": (TRAFFORD, "greenspaces:venue:longford-park"),
     "kind": "group", "title": "Men's walk and talk",
     "text": "an easy-paced 45-minute walk round the park for men who fancy some company and a chat, "
             "with a brew at the café afterwards; nobody has to talk about anything they don't want "
             "to. Flat, surfaced paths.",
     "interests": [("walking",), ("men's talking group",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("sat", "10:00", "11:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 10},
     "audience": {"gender": "men_only"}},
    {"key": "couch-to-5k-stretford-sports-village",
     "venue": (TRAFFORD, "leisure_centres:venue:stretford-sports-village-chester-centre"),
     "kind": "group", "title": "Couch to 5K beginners' running group",
     "text": "a nine-week walk-run programme for complete beginners of any age and pace, meeting at "
             "the leisure centre and running in the streets and park nearby. Mixed group; a leader "
             "stays at the back. Accessible toilet and changing at the centre.",
     "interests": [("running",), ("jogging",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("mon", "18:30", "19:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 30, "typical_group_size": 18},
     "audience": {"gender": "mixed"}},
    # ---- York
    {"key": "dementia-friendly-singing-york-explore", "venue": (LIBHACKED, "libraries:venue:10034765095"),
     "kind": "group", "title": "Dementia-friendly singing group",
     "text": "sing familiar songs together in a warm, unhurried group for people living with dementia "
             "and their family carers; large-print song sheets and tea afterwards. Step-free access; "
             "hearing loop.",
     "interests": [("singing",), ("dementia cafe",)], "five_ways": ["connect", "take_notice"],
     "weekly": [w("tue", "14:00", "15:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 30, "typical_group_size": 18},
     "audience": {"groups": ["dementia", "carers"], "groups_only": True}},
    {"key": "carers-cafe-tang-hall", "venue": (LIBHACKED, "libraries:venue:10093956473"),
     "kind": "group", "title": "Carers' café",
     "text": "a drop-in for unpaid carers: a cuppa, a chat with other carers and information from a "
             "carers' centre worker. Step-free access; accessible toilet.",
     "interests": [("carers",), ("coffee morning",)], "five_ways": ["connect"],
     "weekly": [w("fri", "10:00", "12:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 8},
     "audience": {"groups": ["carers"], "groups_only": True}},
    {"key": "lgbtq-book-club-hungate", "venue": (LIBHACKED, "libraries:venue:10093959558"),
     "kind": "group", "title": "LGBTQ+ book club",
     "text": "a monthly book club for LGBTQ+ adults reading queer fiction and memoir, in a relaxed and "
             "confidential space. Copies can be borrowed from Explore York. Step-free access.",
     "interests": [("book club",), ("lgbtq+",)], "five_ways": ["connect", "keep_learning"],
     "dated": [dt("2027-02-13", "13:30", "15:00"), dt("2027-03-13", "13:30", "15:00"),
               dt("2027-04-10", "13:30", "15:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": 18, "max_age": None, "criteria": "Example: LGBTQ+ adults (18+)."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 14, "typical_group_size": 9},
     "audience": {"groups": ["lgbtq"], "groups_only": True}},
    {"key": "lgbtq-youth-group-york-explore", "venue": (LIBHACKED, "libraries:venue:10034765095"),
     "kind": "group", "title": "LGBTQ+ young people's group (16–25)",
     "text": "a safe, social evening for LGBTQ+ and questioning young people aged 16 to 25: games, "
             "films, crafts and chat, run by trained youth workers. Step-free access; gender-neutral "
             "toilet.",
     "interests": [("lgbtq+",), ("young people",), ("board games",)], "five_ways": ["connect"],
     "weekly": [w("thu", "17:00", "19:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "eligibility": {"min_age": 16, "max_age": 25, "criteria": "Example: ages 16–25."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 25, "typical_group_size": 12},
     "audience": {"groups": ["lgbtq", "young_people"], "groups_only": True}},
    {"key": "veterans-breakfast-club-acomb", "venue": (LIBHACKED, "libraries:venue:100052211617"),
     "kind": "group", "title": "Veterans' breakfast club",
     "text": "a Saturday breakfast for people who have served in the armed forces, with volunteers "
             "who know the support on offer to veterans. Step-free access to the café.",
     "interests": [("veterans",), ("social",)], "five_ways": ["connect"],
     "weekly": [w("sat", "09:00", "10:30")],
     "cost": {"free": False, "amount_pence": 400, "concession_pence": None,
              "notes": "Example: £4 for a cooked breakfast; tea and coffee free."},
     "eligibility": {"min_age": None, "max_age": None, "criteria": "Example: ex-forces and serving personnel."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 30, "typical_group_size": 15},
     "audience": {"groups": ["veterans"], "groups_only": True}},
    {"key": "conversation-cafe-clifton", "venue": (LIBHACKED, "libraries:venue:100052167876"),
     "kind": "group", "title": "English conversation café (refugees and new arrivals)",
     "text": "relaxed conversation practice with volunteers for refugees, people seeking asylum and "
             "other newcomers to York, and help to find ESOL classes. All levels. Step-free access.",
     "interests": [("conversation group",), ("esol",), ("refugees",)],
     "five_ways": ["connect", "keep_learning"],
     "weekly": [w("tue", "13:30", "15:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 10},
     "audience": {"groups": ["refugees_and_asylum_seekers"]}},
    {"key": "tea-dance-new-earswick", "venue": (LIBHACKED, "libraries:venue:200004758552"),
     "kind": "group", "title": "Over-60s tea dance",
     "text": "sequence and ballroom favourites in the Folk Hall, with tea, sandwiches and a raffle; sit "
             "out and chat whenever you like. Step-free access; hearing loop in the hall.",
     "interests": [("tea dance",), ("sequence dancing",)], "five_ways": ["connect", "be_active"],
     "weekly": [w("mon", "14:00", "16:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 200,
              "notes": "Example: £3, £2 concession."},
     "eligibility": {"min_age": None, "max_age": None, "criteria": "Example: for over-60s."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 60, "typical_group_size": 30},
     "audience": {"groups": ["older_people"]}},
    {"key": "womens-couch-to-5k-rowntree-park", "venue": (LIBHACKED, "libraries:venue:100050580839"),
     "kind": "group", "title": "Women's couch to 5K",
     "text": "a women-only beginners' running group following the nine-week couch to 5K plan, meeting "
             "at the reading café and running on the park's level paths. Female run leaders; any "
             "size, age or pace. Step-free access to the café toilets.",
     "interests": [("running",), ("jogging",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("wed", "18:00", "19:00"), w("sun", "09:00", "10:00")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 25, "typical_group_size": 15},
     "audience": {"gender": "women_only"}},
    {"key": "bumps-and-babies-dringhouses", "venue": (LIBHACKED, "libraries:venue:100052162628"),
     "kind": "group", "title": "Bumps and babies group",
     "text": "a drop-in for pregnant women, new parents and babies up to a year old: a chat, a cuppa, "
             "baby rhymes and a visiting health visitor once a month. Dads and partners welcome. "
             "Buggy space; step-free access.",
     "interests": [("baby group",), ("postnatal support",)], "five_ways": ["connect"],
     "weekly": [w("thu", "10:00", "11:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 20, "typical_group_size": 10},
     "audience": {"groups": ["pregnant_postnatal", "parents_and_babies"], "groups_only": True}},
    {"key": "heart-health-class-university-of-york", "venue": (OPEN_NAMES, "colleges:venue:osgb4000000073318852"),
     "kind": "activity", "title": "Heart health exercise class (cardiac rehab phase IV)",
     "text": "a supervised circuit class at the university sports centre for people who have completed "
             "hospital cardiac rehab; referral from your cardiac rehab nurse or GP needed. Accessible "
             "changing rooms; parking by the sports centre.",
     "interests": [("cardiac rehab",), ("circuit training",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("mon", "10:30", "11:30"), w("thu", "10:30", "11:30")],
     "cost": {"free": False, "amount_pence": 350, "concession_pence": 250,
              "notes": "Example: £3.50, £2.50 concession."},
     "newcomers": {"drop_in": False, "taster_session": False, "meet_and_greet": True, "booking_required": True},
     "capacity": {"max_participants": 16, "typical_group_size": 12},
     "audience": {"groups": ["long_term_conditions"], "groups_only": True, "referral_only": True}},
    {"key": "mens-walk-and-talk-acomb", "venue": (LIBHACKED, "libraries:venue:100052211617"),
     "kind": "group", "title": "Men's walking and talking group",
     "text": "a gentle hour's walk from the library to Hob Moor and back for men who want some company "
             "and a chat, ending with a brew; the pace is set by the slowest walker.",
     "interests": [("walking",), ("men's talking group",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("wed", "10:30", "11:30")],
     "cost": {"free": True, "notes": "Example: free."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": None, "typical_group_size": 8},
     "audience": {"gender": "men_only"}},
    {"key": "inclusive-dance-york-st-john", "venue": (OPEN_NAMES, "colleges:venue:osgb4000000073495515"),
     "kind": "activity", "title": "Inclusive dance for adults with learning disabilities",
     "text": "a weekly dance and movement session in the university dance studio for adults with "
             "learning disabilities, led by a community dance artist with dance students; supporters "
             "join in free. Lift and accessible toilets.",
     "interests": [("dance",)], "five_ways": ["be_active", "connect"],
     "weekly": [w("thu", "18:00", "19:30")],
     "cost": {"free": False, "amount_pence": 200, "concession_pence": None,
              "notes": "Example: £2; supporters free."},
     "eligibility": {"min_age": 18, "max_age": None,
                     "criteria": "Example: adults (18+) with a learning disability, and their supporters."},
     "newcomers": {"drop_in": True, "taster_session": True, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 25, "typical_group_size": 15},
     "audience": {"groups": ["learning_disability"], "groups_only": True}},
    {"key": "tai-chi-beginners-tang-hall", "venue": (LIBHACKED, "libraries:venue:10093956473"),
     "kind": "activity", "title": "Tai chi for beginners",
     "text": "slow, flowing tai chi movements for beginners of any age and fitness; everything can be "
             "done seated. Mixed group. Step-free access.",
     "interests": [("tai chi",)], "five_ways": ["be_active", "take_notice"],
     "weekly": [w("wed", "11:00", "12:00")],
     "cost": {"free": False, "amount_pence": 300, "concession_pence": 150,
              "notes": "Example: £3, £1.50 concession."},
     "newcomers": {"drop_in": True, "taster_session": None, "meet_and_greet": True, "booking_required": False},
     "capacity": {"max_participants": 16, "typical_group_size": 10},
     "audience": {"gender": "mixed"}},
]


def build_examples(d):
    org = d.org(EXAMPLE, "org:example", "Example listings (illustrative, not a real provider)",
                "Placeholder organisation for the clearly marked example listings in the demo "
                "data. It is not a real provider; the real venues named in those listings have not "
                "agreed to or confirmed any of these sessions.")
    first_allotment = sorted((v for v in d.venues.values()
                              if v["source_id"].startswith("allotments:venue:")),
                             key=lambda v: v["name"])
    for ex in EXAMPLES:
        src, vkey = ex["venue"]
        if "__FIRST_ALLOTMENT__" in vkey:
            # a real allotment site; pick the first by name (deterministic)
            vkey = first_allotment[0]["source_id"]
        vid = make_id(src, vkey)
        if vid not in d.venues:
            raise SystemExit(f"example {ex['key']}: venue {src}:{vkey} not found")
        d.asset(EXAMPLE, f"example:{ex['key']}", org, vid, ex["kind"], ex["title"],
                EXAMPLE_PREFIX + ex["text"][0].upper() + ex["text"][1:],
                ex["interests"], ex["five_ways"],
                schedule={"weekly": ex.get("weekly", []), "dated": ex.get("dated", []),
                          "notes": "Example schedule (illustrative)."},
                cost=ex.get("cost"), eligibility=ex.get("eligibility"),
                newcomers=ex.get("newcomers"), capacity=ex.get("capacity"), example=True,
                audience=audience(**ex["audience"]) if "audience" in ex else None)
        note("assets_examples")


# --------------------------------------------------------------------------------------------
# Vocabulary resolution
# --------------------------------------------------------------------------------------------

def load_vocabulary(path):
    """normalised phrase -> slug; a phrase that matches more than one term maps to None
    (ambiguous), which resolve_interests treats as unresolved."""
    vocab = read_json(path)
    index = {}
    for term in vocab["terms"]:
        keys = [term.get("slug"), term.get("label")] + list(term.get("synonyms") or [])
        for k in keys:
            if not k:
                continue
            n = norm_phrase(k)
            if n in index and index[n] != term["slug"]:
                index[n] = None
            else:
                index[n] = term["slug"]
    return index


def resolve_interests(d, index):
    unresolved = collections.defaultdict(list)
    fallbacks = collections.Counter()
    for a in d.assets.values():
        slugs = []
        for cand in a["interests"]:
            cand = (cand,) if isinstance(cand, str) else cand
            hit = None
            for i, phrase in enumerate(cand):
                if index is None:
                    hit = phrase
                    break
                s = index.get(norm_phrase(phrase))
                if s:
                    hit = s
                    if i > 0:
                        fallbacks[f"{cand[0]} -> {phrase}"] += 1
                    break
            if hit is None:
                unresolved[" | ".join(cand)].append(a["title"])
                continue
            if hit not in slugs:
                slugs.append(hit)
        a["interests"] = slugs
    return unresolved, fallbacks


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def strip_private(records):
    out = []
    for r in records:
        out.append({k: v for k, v in r.items() if not k.startswith("_")})
    return out


def write_json(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(records, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def validate(d):
    ids = set()
    for coll in (d.orgs, d.venues, d.assets):
        for k in coll:
            assert k not in ids, f"duplicate id {k}"
            ids.add(k)
    for a in d.assets.values():
        for s in a["schedule"]["weekly"]:
            assert s["day"] in DAYS and re.match(r"^\d\d:\d\d$", s["start"]) and s["start"] < s["end"], a
        for s in a["schedule"]["dated"]:
            assert re.match(r"^2027-\d\d-\d\d$", s["date"]) and s["start"] < s["end"], a
        if "audience" in a:
            keys = list(a)
            assert keys[keys.index("eligibility") + 1] == "audience", a["source_id"]
        if a["example"]:
            assert a["description"].startswith(EXAMPLE_PREFIX) and a["source"] == EXAMPLE
        else:
            assert not a["description"].startswith("Example") and a["source"] != EXAMPLE
    for v in d.venues.values():
        assert v["location"], v
        if v["postcode"]:
            assert POSTCODE_RE.match(v["postcode"].replace(" ", "")), v
    used_venues = {a["venue_id"] for a in d.assets.values()}
    unused = [v["name"] for k, v in d.venues.items() if k not in used_venues]
    assert not unused, f"venues without assets: {unused}"
    used_orgs = {a["organization_id"] for a in d.assets.values()}
    unused = [o["name"] for k, o in d.orgs.items() if k not in used_orgs]
    assert not unused, f"organisations without assets: {unused}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default="../shared", help="path of the shared folder (default ../shared)")
    ap.add_argument("--out", default=os.path.join(REPO, "seed-data", "demo"))
    ap.add_argument("--vocabulary", default=os.path.join(REPO, "seed-data", "vocabulary.json"))
    ap.add_argument("--allow-missing-vocabulary", action="store_true",
                    help="development only: write interest phrases unresolved if vocabulary.json is absent")
    args = ap.parse_args()

    data = os.path.join(args.shared, "data")
    if not os.path.isdir(data):
        raise SystemExit(f"{data} not found (run from the repo root or pass --shared)")
    index = None
    if os.path.exists(args.vocabulary):
        index = load_vocabulary(args.vocabulary)
    elif not args.allow_missing_vocabulary:
        raise SystemExit(f"{args.vocabulary} not found: interests cannot be resolved "
                         "(pass --allow-missing-vocabulary to write raw phrases during development)")

    lh_all = read_csv(os.path.join(data, "librarieshacked-libraries", "uk_public_libraries.csv"))
    lh_york = read_csv(os.path.join(data, "librarieshacked-libraries", "york_libraries.csv"))

    d = Directory()
    build_trafford(d, data, lh_all)
    build_york(d, data, lh_york)
    build_examples(d)

    unresolved, fallbacks = resolve_interests(d, index)
    if unresolved:
        print("ERROR: interest phrases that resolve to no vocabulary term:", file=sys.stderr)
        for phrase, titles in sorted(unresolved.items()):
            print(f"  {phrase!r}: {len(titles)} assets, e.g. {titles[0]!r}", file=sys.stderr)
        sys.exit(1)
    validate(d)

    key = lambda r: (r["source"], r["source_id"])
    orgs = sorted(strip_private(d.orgs.values()), key=key)
    venues = sorted(strip_private(d.venues.values()), key=key)
    assets = sorted(strip_private(d.assets.values()), key=key)
    write_json(os.path.join(args.out, "organizations.json"), orgs)
    write_json(os.path.join(args.out, "venues.json"), venues)
    write_json(os.path.join(args.out, "assets.json"), assets)

    # ---- summary
    print(f"organisations {len(orgs)}, venues {len(venues)}, assets {len(assets)}")
    print("assets by kind:", dict(sorted(collections.Counter(a["kind"] for a in assets).items())))
    print("assets by source:", dict(sorted(collections.Counter(a["source"] for a in assets).items())))
    print("venues by type:", dict(sorted(collections.Counter(v["venue_type"] for v in venues).items())))
    print("weekly sessions:", sum(len(a["schedule"]["weekly"]) for a in assets if not a["example"]),
          "real;", sum(len(a["schedule"]["weekly"]) for a in assets if a["example"]), "example;",
          sum(len(a["schedule"]["dated"]) for a in assets), "dated (examples)")
    print("real assets with weekly sessions:",
          sum(1 for a in assets if a["schedule"]["weekly"] and not a["example"]))
    with_aud = [a for a in assets if "audience" in a]
    print("assets with an audience:", len(with_aud),
          "(real %d, example %d)" % (sum(not a["example"] for a in with_aud),
                                      sum(a["example"] for a in with_aud)))
    print("  gender:", dict(sorted(collections.Counter(a["audience"]["gender"] for a in with_aud).items())))
    print("  groups:", dict(sorted(collections.Counter(g for a in with_aud for g in a["audience"]["groups"]).items())))
    print("  groups_only:", sum(a["audience"]["groups_only"] for a in with_aud),
          "referral_only:", sum(a["audience"]["referral_only"] for a in with_aud))
    if index is None:
        print("WARNING: vocabulary.json absent: interests are raw phrases, NOT slugs")
    for k in sorted(fallbacks):
        print(f"  interest fallback used: {k} x{fallbacks[k]}")
    for k in sorted(STATS):
        print(f"{k}: {STATS[k]}")
        for detail in NOTES.get(k, [])[:40]:
            print(f"    - {detail}")


if __name__ == "__main__":
    main()
