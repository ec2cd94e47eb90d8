#!/usr/bin/env python3
"""Check tests/eval/personas.json against the demo seed data.

Standard library only. Run from anywhere:  python3 tests/eval/check_personas.py [-v]

Errors (exit status 1):
  - malformed persona, duplicate name, unknown asset id, unknown postcode, unknown value of a
    request field (gender, single_gender, circumstances, barriers, has_referral);
  - a persona with no relevant asset (unless it is marked "nothing_in_reach", which then must
    have none), or fewer than two "never" assets;
  - an asset judged both relevant and never, or listed twice;
  - a "relevant" asset that breaks a hard constraint of its request
    (published, reach, online, age, access needs, budget, exclusions, kinds, and the audience
    rules: gender, single_gender, groups_only, referral_only);
  - a "part" that is not "dev"/"holdout" or breaks the split rule (all personas sorted by name,
    every third one, i.e. the 3rd, 6th, 9th..., is "holdout");
  - fewer than 64 personas, or personas in fewer than 3 postcode areas (M, WA, YO...).
Warnings (reported, not fatal):
  - a relevant asset within 2% of the reach limit, or a never-by-reach asset within 3% of it
    (too close to call given rounding of coordinates and Earth radius);
  - a relevant asset whose stated schedule never overlaps the person's availability;
  - a "nothing_in_reach" persona for whom an asset passing every hard constraint carries an
    interest tag that one of their interest phrases names exactly (or a narrower term of it).
With -v, lists the "never" judgements that rest on a mismatch (no hard constraint broken),
so a reviewer can read the reasons.

Locations: a postcode is looked up in seed-data/postcodes/units.csv (every unit in York and
Trafford); a full postcode that is not there falls back to its sector's centroid
(sectors.csv), then its district's (districts.csv), as the service does. A lat/lon is used as
given.
"""
import csv
import datetime
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed-data"
SPEED_KMH = {"walk": 4.8, "cycle": 14.0, "public_transport": 12.0, "car": 25.0}
DETOUR = 1.3
EARTH_KM = 6371.0088
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

GENDERS = {"woman", "man", "non_binary"}
SINGLE_GENDER = {"women_only", "men_only"}
# circumstance -> the audience groups it puts the person in
CIRCUMSTANCE_GROUPS = {
    "pregnant": {"pregnant_postnatal"},
    "new_parent": {"pregnant_postnatal", "parents_and_babies"},
    "recent_cardiac_event": {"long_term_conditions"},
    "falls_risk": {"long_term_conditions"},
    "long_term_condition": {"long_term_conditions"},
    "learning_disability": {"learning_disability", "disabled_people"},
    "disabled": {"disabled_people"},
    "carer": {"carers"},
    "lgbtq": {"lgbtq"},
    "dementia": {"dementia"},
    "refugee_or_asylum_seeker": {"refugees_and_asylum_seekers"},
    "veteran": {"veterans"},
}
BARRIERS = {"confidence", "stigma", "cost", "transport", "caring", "timing", "access",
            "crowds", "mobility", "after_dark", "new_to_area"}
AUDIENCE_GENDERS = {"mixed", "women_only", "men_only"}
AUDIENCE_GROUPS = {"pregnant_postnatal", "parents_and_babies", "older_people", "young_people",
                   "disabled_people", "learning_disability", "carers", "lgbtq", "dementia",
                   "refugees_and_asylum_seekers", "veterans", "long_term_conditions"}
MIN_PERSONAS = 64
MIN_AREAS = 3


def load():
    assets = {a["id"]: a for a in json.loads((SEED / "demo/assets.json").read_text())}
    venues = {v["id"]: v for v in json.loads((SEED / "demo/venues.json").read_text())}
    places = {}
    for name, key in (("units.csv", "postcode"), ("sectors.csv", "sector"), ("districts.csv", "outcode")):
        with open(SEED / "postcodes" / name, newline="") as f:
            places.update({r[key]: (float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(f)})
    personas = json.loads((Path(__file__).resolve().parent / "personas.json").read_text())
    return assets, venues, places, personas


def locate(postcode, places):
    """(lat, lon) of a postcode: its unit, else its sector, else its district; None if unknown."""
    pc = postcode.strip().upper()
    sector = pc[:-2] if len(pc) > 4 and " " in pc else None
    for key in (pc, sector, pc.split(" ")[0]):
        if key and key in places:
            return places[key]
    return None


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


def person_groups(req):
    """The audience groups a request puts the person in (circumstances and age)."""
    groups = set()
    for c in req.get("circumstances", []):
        groups |= CIRCUMSTANCE_GROUPS.get(c, set())
    age = req.get("age")
    if age is not None and age >= 60:
        groups.add("older_people")
    if age is not None and age <= 25:
        groups.add("young_people")
    return groups


def audience_violations(req, asset):
    aud = asset.get("audience") or {}
    gender = aud.get("gender", "mixed")
    out = []
    if gender == "women_only" and req.get("gender") == "man":
        out.append("women only")
    if gender == "men_only" and req.get("gender") == "woman":
        out.append("men only")
    if req.get("single_gender") and gender != req["single_gender"]:
        out.append("not %s (%s)" % (req["single_gender"], gender))
    if aud.get("groups_only") and not (set(aud.get("groups", [])) & person_groups(req)):
        out.append("only for " + ", ".join(aud.get("groups", [])))
    if aud.get("referral_only") and not req.get("has_referral", False):
        out.append("referral only")
    return out


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
    out += audience_violations(req, asset)
    return out, d, r


def check_request_fields(name, req):
    errors = []
    if "gender" in req and req["gender"] not in GENDERS:
        errors.append("%s: gender %r unknown" % (name, req["gender"]))
    if "single_gender" in req and req["single_gender"] not in SINGLE_GENDER:
        errors.append("%s: single_gender %r unknown" % (name, req["single_gender"]))
    if req.get("single_gender") == "women_only" and req.get("gender") == "man" or \
            req.get("single_gender") == "men_only" and req.get("gender") == "woman":
        errors.append("%s: single_gender contradicts gender" % name)
    for c in req.get("circumstances", []):
        if c not in CIRCUMSTANCE_GROUPS:
            errors.append("%s: circumstance %r unknown" % (name, c))
    if "has_referral" in req and not isinstance(req["has_referral"], bool):
        errors.append("%s: has_referral must be true or false" % name)
    for b in req.get("barriers", []):
        if b not in BARRIERS:
            errors.append("%s: barrier %r unknown" % (name, b))
    return errors


def check_assets(assets):
    errors = []
    for a in assets.values():
        aud = a.get("audience")
        if aud is None:
            continue
        if aud.get("gender", "mixed") not in AUDIENCE_GENDERS or not set(aud.get("groups", [])) <= AUDIENCE_GROUPS:
            errors.append("asset %s (%s): malformed audience %s" % (a["id"], a["title"], aud))
        if aud.get("groups_only") and not aud.get("groups"):
            errors.append("asset %s (%s): groups_only without groups" % (a["id"], a["title"]))
    return errors


def norm_phrase(text):
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def load_vocabulary():
    """normalised phrase -> set of slugs, and slug -> the slugs under it (itself included)."""
    terms = json.loads((SEED / "vocabulary.json").read_text())["terms"]
    index, children = {}, {}
    for t in terms:
        for k in [t["slug"], t["label"]] + list(t.get("synonyms") or []):
            index.setdefault(norm_phrase(k), set()).add(t["slug"])
        if t.get("parent"):
            children.setdefault(t["parent"], []).append(t["slug"])

    def below(slug):
        out, todo = set(), [slug]
        while todo:
            s = todo.pop()
            if s not in out:
                out.add(s)
                todo += children.get(s, [])
        return out
    return index, below


def postcode_area(loc):
    m = re.match(r"^([A-Z]{1,2})\d", loc.get("postcode", "").strip().upper())
    return m.group(1) if m else None


def main():
    verbose = "-v" in sys.argv[1:]
    assets, venues, places, personas = load()
    vocab_index, below = load_vocabulary()
    errors, warnings, mismatches = check_assets(assets), [], []
    names = set()
    n_rel = n_never = 0
    areas = set()
    for p in personas:
        name = p.get("name", "?")
        for key in ("name", "story", "request", "relevant", "never", "part"):
            if key not in p:
                errors.append("%s: missing %s" % (name, key))
        if name in names:
            errors.append("%s: duplicate name" % name)
        names.add(name)
        req = p["request"]
        errors += check_request_fields(name, req)
        loc = req["location"]
        if "postcode" in loc:
            origin = locate(loc["postcode"], places)
            if origin is None:
                errors.append("%s: postcode %s not in units, sectors or districts" % (name, loc["postcode"]))
                continue
            areas.add(postcode_area(loc))
        else:
            origin = (loc["lat"], loc["lon"])
        for eid in req.get("exclude_asset_ids", []):
            if eid not in assets:
                errors.append("%s: excluded id %s unknown" % (name, eid))
        rel_ids = [r["id"] for r in p["relevant"]]
        never_ids = [n["id"] for n in p["never"]]
        nothing = p.get("nothing_in_reach", False)
        if nothing not in (True, False):
            errors.append("%s: nothing_in_reach must be true or false" % name)
        if nothing and rel_ids:
            errors.append("%s: marked nothing_in_reach but has relevant assets" % name)
        if not nothing and not rel_ids:
            errors.append("%s: no relevant assets (mark nothing_in_reach if that is the judgement)" % name)
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
        if nothing is True:
            wanted = set()
            for phrase in req.get("interests", []):
                for slug in vocab_index.get(norm_phrase(phrase), ()):
                    wanted |= below(slug)
            for a in assets.values():
                if wanted & set(a["interests"]) and not violations(req, a, venues[a["venue_id"]], origin)[0]:
                    warnings.append("%s: nothing_in_reach, but %s passes every hard constraint and is tagged %s"
                                    % (name, a["title"], ", ".join(sorted(wanted & set(a["interests"])))))
    # hold-out split: sorted by name, every third persona (3rd, 6th, ...) is "holdout"
    for i, p in enumerate(sorted(personas, key=lambda p: p.get("name", ""))):
        want = "holdout" if i % 3 == 2 else "dev"
        if p.get("part") not in ("dev", "holdout"):
            errors.append("%s: part must be \"dev\" or \"holdout\"" % p.get("name"))
        elif p["part"] != want:
            errors.append("%s: part is %s, the split rule says %s" % (p.get("name"), p["part"], want))
    if len(personas) < MIN_PERSONAS:
        errors.append("only %d personas (at least %d)" % (len(personas), MIN_PERSONAS))
    if len(areas) < MIN_AREAS:
        errors.append("personas in %d postcode areas (at least %d): %s" % (len(areas), MIN_AREAS, sorted(areas)))
    for w in warnings:
        print("warning:", w)
    if verbose:
        for m in mismatches:
            print("mismatch (no hard constraint):", m)
    for e in errors:
        print("error:", e)
    parts = {k: sum(p.get("part") == k for p in personas) for k in ("dev", "holdout")}
    print("%d personas (%d dev, %d holdout; %d nothing in reach), %d relevant judgements, "
          "%d never judgements (%d by mismatch), %d errors, %d warnings"
          % (len(personas), parts["dev"], parts["holdout"],
             sum(bool(p.get("nothing_in_reach")) for p in personas),
             n_rel, n_never, len(mismatches), len(errors), len(warnings)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
