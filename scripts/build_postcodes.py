#!/usr/bin/env python3
"""Copies the offline postcode lookup into seed-data/postcodes/ from OS Code-Point Open
(the shared data folder): unit postcodes for York and Trafford, every GB sector and outcode
(district) centroid, trimmed to what the service reads. Deterministic; standard library only.

    python3 scripts/build_postcodes.py [--shared ../shared]
"""
import argparse
import csv
import pathlib

parser = argparse.ArgumentParser()
parser.add_argument("--shared", default="../shared")
args = parser.parse_args()
src = pathlib.Path(args.shared) / "data" / "os-codepoint-open-postcodes"
dst = pathlib.Path("seed-data/postcodes")
dst.mkdir(parents=True, exist_ok=True)


def write(name, header, rows):
    with open(dst / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(sorted(rows))
    print(f"{name}: {len(rows)} rows")


units = []
for area in ("york", "trafford"):
    with open(src / f"{area}_postcodes.csv") as f:
        units += [(r["postcode"], r["latitude"], r["longitude"]) for r in csv.DictReader(f)]
write("units.csv", ["postcode", "latitude", "longitude"], units)
with open(src / "sector_centroids.csv") as f:
    write("sectors.csv", ["sector", "latitude", "longitude"],
          [(r["sector"], r["latitude"], r["longitude"]) for r in csv.DictReader(f)])
with open(src / "outcode_centroids.csv") as f:
    write("districts.csv", ["outcode", "latitude", "longitude", "postcode_count"],
          [(r["outcode"], r["latitude"], r["longitude"], r["postcode_count"]) for r in csv.DictReader(f)])
