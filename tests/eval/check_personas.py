#!/usr/bin/env python3
"""Check tests/eval/personas.json against the demo seed data.

Standard library only. Run from anywhere:  python3 tests/eval/check_personas.py [-v]

Errors (exit status 1):
  - malformed persona, duplicate name, unknown asset id, unknown postcode;
  - a persona with no relevant asset, or fewer than two "never" assets;
  - an asset judged both relevant and never, or listed twice;
  - a "relevant" asset that breaks a hard constraint of its request
    (published, reach, online, age, access needs, budget, exclusions, kinds).
Warnings (reported, not fatal):
  - a relevant asset within 2% of the reach limit, or a never-by-reach asset within 3% of it
    (too close to call given rounding of coordinates and Earth radius);
  - a relevant asset whose stated schedule never overlaps the person's availability.
With -v, lists the "never" judgements that rest on a mismatch (no hard constraint broken),
so a reviewer can read the reasons.
"""
import csv
import datetime
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed-data"
SPEED_KMH = {"walk": 4.8, "cycle": 14.0, "public_transport": 12.0, "car": 25.0}
DETOUR = 1.3
EARTH_KM = 6371.0088
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def load():
    assets = {a["id"]: a for a in json.loads((SEED / "demo/assets.json").read_text())}
    venues = {v["id"]: v for v in json.loads((SEED / "demo/venues.json").read_text())}
    with open(SEED / "postcodes/units.csv", newline="") as f:
        units = {r["postcode"]: (float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(f)}
    personas = json.loads((Path(__file__).resolve().parent / "personas.json").read_text())
    return assets, venues, units, personas


def haversine(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def reach_km(travel):
    if "max_km" in travel:
        return float(travel["max_km"])
    return SPEED_KMH[travel["mode"]] * travel["max_minutes"] / 60.0 / DETOUR


def effective_cost(cost, concessions):
    """Pence per session, or None when the cost is not stated."""
    if cost.get("free"):
        return 0
    if cost.get("amount_pence") is None:
        return None
    if concessions and cost.get("concession_pence") is not None:
        return cost["concession_pence"]
    return cost["amount_pence"]


def minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def schedule_fits(asset, availability):
    """True/False when the asset states a schedule, None when it does not."""
    slots = [(w["day"], w["start"], w["end"]) for w in asset["schedule"]["weekly"]]
    for d in asset["schedule"]["dated"]:
        day = DAYS[datetime.date.fromisoformat(d["date"]).weekday()]
        slots.append((day, d["start"], d["end"]))
    if not slots:
        return None
    for day, start, end in slots:
        for a in availability:
            if a["day"] == day and minutes(start) < minutes(a["to"]) and minutes(a["from"]) < minutes(end):
                return True
    return False


def violations(req, asset, venue, origin):
    out = []
    if asset["status"] != "published":
        out.append("not published")
    if asset["online"] and not req.get("include_online", False):
        out.append("online")
    d = haversine(origin, (venue["location"]["lat"], venue["location"]["lon"]))
    r = reach_km(req["travel"])
    if d > r:
        out.append("reach %.2f km > %.2f km" % (d, r))
    age, el = req.get("age"), asset["eligibility"]
    if age is not None:
        if el.get("min_age") is not None and age < el["min_age"]:
            out.append("age below %d" % el["min_age"])
        if el.get("max_age") is not None and age > el["max_age"]:
            out.append("age above %d" % el["max_age"])
    for need in req.get("access_needs", []):
        if need not in venue.get("accessibility", []):
            out.append("lacks " + need)
    budget = req.get("budget")
    if budget and budget.get("max_pence_per_session") is not None:
        c = effective_cost(asset["cost"], budget.get("concessions", False))
        if c is not None and c > budget["max_pence_per_session"]:
            out.append("cost %dp > %dp" % (c, budget["max_pence_per_session"]))
    if asset["id"] in req.get("exclude_asset_ids", []):
        out.append("excluded")
    if req.get("kinds") and asset["kind"] not in req["kinds"]:
        out.append("kind " + asset["kind"])
    return out, d, r


def main():
    verbose = "-v" in sys.argv[1:]
    assets, venues, units, personas = load()
    errors, warnings, mismatches = [], [], []
    names = set()
    n_rel = n_never = 0
    for p in personas:
        name = p.get("name", "?")
        for key in ("name", "story", "request", "relevant", "never"):
            if key not in p:
                errors.append("%s: missing %s" % (name, key))
        if name in names:
            errors.append("%s: duplicate name" % name)
        names.add(name)
        req = p["request"]
        loc = req["location"]
        if "postcode" in loc:
            if loc["postcode"] not in units:
                errors.append("%s: postcode %s not in units.csv" % (name, loc["postcode"]))
                continue
            origin = units[loc["postcode"]]
        else:
            origin = (loc["lat"], loc["lon"])
        for eid in req.get("exclude_asset_ids", []):
            if eid not in assets:
                errors.append("%s: excluded id %s unknown" % (name, eid))
        rel_ids = [r["id"] for r in p["relevant"]]
        never_ids = [n["id"] for n in p["never"]]
        if not rel_ids:
            errors.append("%s: no relevant assets" % name)
        if len(never_ids) < 2:
            errors.append("%s: fewer than two never assets" % name)
        if len(set(rel_ids)) != len(rel_ids) or len(set(never_ids)) != len(never_ids):
            errors.append("%s: an asset is listed twice" % name)
        for both in set(rel_ids) & set(never_ids):
            errors.append("%s: %s is both relevant and never" % (name, both))
        for r in p["relevant"]:
            n_rel += 1
            a = assets.get(r["id"])
            if a is None:
                errors.append("%s: unknown relevant id %s" % (name, r["id"]))
                continue
            if r.get("grade") not in (1, 2, 3) or not r.get("why"):
                errors.append("%s: %s needs grade 1-3 and a why" % (name, r["id"]))
            v, d, reach = violations(req, a, venues[a["venue_id"]], origin)
            if v:
                errors.append("%s: relevant %s (%s) breaks %s" % (name, r["id"], a["title"], "; ".join(v)))
            elif d > 0.98 * reach:
                warnings.append("%s: relevant %s is %.2f km, within 2%% of reach %.2f" % (name, a["title"], d, reach))
            if req.get("availability"):
                fits = schedule_fits(a, req["availability"])
                if fits is False:
                    warnings.append("%s: relevant %s has no session in the availability" % (name, a["title"]))
        for n in p["never"]:
            n_never += 1
            a = assets.get(n["id"])
            if a is None:
                errors.append("%s: unknown never id %s" % (name, n["id"]))
                continue
            if not n.get("why"):
                errors.append("%s: never %s needs a why" % (name, n["id"]))
            v, d, reach = violations(req, a, venues[a["venue_id"]], origin)
            if v == ["reach %.2f km > %.2f km" % (d, reach)] and d < 1.03 * reach:
                warnings.append("%s: never %s is only just out of reach (%.2f vs %.2f)" % (name, a["title"], d, reach))
            if not v:
                mismatches.append("%s: %s -- %s" % (name, a["title"], n["why"]))
    for w in warnings:
        print("warning:", w)
    if verbose:
        for m in mismatches:
            print("mismatch (no hard constraint):", m)
    for e in errors:
        print("error:", e)
    print("%d personas, %d relevant judgements, %d never judgements (%d by mismatch), %d errors, %d warnings"
          % (len(personas), n_rel, n_never, len(mismatches), len(errors), len(warnings)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
