#!/usr/bin/env python3
"""Writes match request bodies for benchmarks, one JSON object per line, like a day of link
workers' requests across Great Britain:

  * location: a postcode district drawn in proportion to its number of postcodes (so spread like
    the population, as benches/synthetic.sql spreads the assets);
  * 1-3 interests drawn in proportion to how many assets carry them (a CSV of slug,count, e.g.
    from `SELECT slug, count(*) ...` on the benchmark database);
  * travel: 55% a 30-minute walk, 30% 30 minutes by public transport, 10% 20 minutes by bike,
    5% 20 minutes by car;
  * half with a budget (0-500p, half of those with concessions), a third with two evening or
    weekend windows, barriers drawn at 20% each, ages 18-80 on half.

  python3 benches/match_requests.py --interests counts.csv --n 500 --seed 42 > requests.jsonl

Deterministic for a given seed and inputs. Standard library only.
"""
import argparse
import csv
import json
import random
import sys

BARRIERS = ["cost", "transport", "confidence", "stigma", "access", "timing", "caring"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--districts", default="seed-data/postcodes/districts.csv")
    ap.add_argument("--interests", required=True, help="CSV of slug,count (no header)")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    with open(args.districts, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["latitude"] and int(r["postcode_count"] or 0) > 0]
    outcodes = [r["outcode"] for r in rows]
    outcode_weights = [int(r["postcode_count"]) for r in rows]
    with open(args.interests, newline="") as f:
        pairs = [(slug, int(count)) for slug, count in csv.reader(f) if slug]
    slugs = [p[0] for p in pairs]
    slug_weights = [p[1] for p in pairs]
    if not outcodes or not slugs:
        sys.exit("match_requests.py: no districts or no interests to draw from")

    for _ in range(args.n):
        body = {"location": {"postcode": rng.choices(outcodes, outcode_weights)[0]}}
        interests = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            slug = rng.choices(slugs, slug_weights)[0]
            if slug not in interests:
                interests.append(slug)
        body["interests"] = interests
        mode = rng.random()
        if mode < 0.55:
            body["travel"] = {"mode": "walk", "max_minutes": 30}
        elif mode < 0.85:
            body["travel"] = {"mode": "public_transport", "max_minutes": 30}
        elif mode < 0.95:
            body["travel"] = {"mode": "cycle", "max_minutes": 20}
        else:
            body["travel"] = {"mode": "car", "max_minutes": 20}
        if rng.random() < 0.5:
            body["budget"] = {"max_pence_per_session": rng.choice([0, 100, 200, 300, 500]),
                              "concessions": rng.random() < 0.5}
        if rng.random() < 0.33:
            days = rng.sample(DAYS, 2)
            body["availability"] = [{"day": d, "from": "17:00", "to": "21:00"} for d in days]
        if rng.random() < 0.5:
            body["age"] = rng.randint(18, 80)
        body["barriers"] = [b for b in BARRIERS if rng.random() < 0.2]
        print(json.dumps(body, separators=(",", ":")))


if __name__ == "__main__":
    main()
