#!/usr/bin/env python3
"""Build seed-data/vocabulary.json, the interest vocabulary, from two inputs kept in the repo:

  seed-data/vocabulary/openactive-activity-list.jsonld  OpenActive Activity List (CC BY 4.0),
                                                        an unmodified copy
  seed-data/vocabulary/community-terms.json             our own terms (domains, the
                                                        intermediate terms under "being
                                                        active", every non-sport domain),
                                                        where each top-level OpenActive
                                                        concept hangs, and extra synonyms
                                                        for OpenActive concepts

Run from the repository root:  python3 scripts/build_vocabulary.py
Standard library only; the output is deterministic (same inputs, same bytes).
The script fails (exit status 1) if the inputs are inconsistent: an unmapped top-level
OpenActive concept, a missing parent, a cycle, a bad slug, or a test phrase that does not
resolve to exactly the expected term.
"""

import json
import re
import sys
import unicodedata
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPENACTIVE_PATH = ROOT / "seed-data" / "vocabulary" / "openactive-activity-list.jsonld"
COMMUNITY_PATH = ROOT / "seed-data" / "vocabulary" / "community-terms.json"
OUTPUT_PATH = ROOT / "seed-data" / "vocabulary.json"

# uuid5 namespace for our own terms: id = uuid5(NAMESPACE, slug). Never change it: ids are
# stored in databases and referenced by assets.
NAMESPACE = uuid.UUID("6f1d2b9e-8a4c-5e3f-9b7a-2c4d6e8f0a1b")

MAX_ROOTS = 18

SOURCES = [
    {
        "name": "OpenActive Activity List",
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "attribution": "OpenActive Activity List, openactive.io",
        "url": "https://github.com/openactive/activity-list/blob/abbf7bcfa360bc2cf9dc8752dcd17e854d605577/data/activity-list.jsonld",
    },
    {
        "name": "community-assets interest terms",
        "licence": "AGPL-3.0-or-later (as the rest of the community-assets project)",
        "attribution": "community-assets project; original work",
        "url": None,
    },
]

# Phrase -> the slug it must resolve to, alone. Checked at the end of every build.
EXPECTED = [
    ("5-a-side", "5-a-side"),
    ("guitar", "guitar"),
    ("playing guitar", "guitar"),
    ("allotment", "allotment"),
    ("maths GCSE", "maths"),
    ("knitting", "knitting"),
    ("football", "football"),
    ("walking", "walking"),
    ("swimming", "swimming"),
    ("gardening", "gardening"),
    ("volunteering", "volunteering"),
    ("choir", "choir"),
    ("painting", "painting"),
    ("book club", "book-club"),
    ("cooking", "cooking-and-food"),
    ("computer skills", "digital-skills"),
    ("ESOL", "english-for-speakers-of-other-languages"),
    ("yoga", "yoga"),
    ("peer support", "peer-support"),
    ("coffee morning", "coffee-morning"),
    ("befriending", "befriending"),
    ("bowls", "bowls"),
    ("cricket", "cricket"),
    ("tennis", "tennis"),
    ("martial arts", "martial-arts"),
    ("reading", "reading"),
    ("art class", "art-classes"),
    ("creative writing", "creative-writing"),
    ("job club", "job-club"),
    ("church", "church"),
]

# The product's example chain: each slug's parent is the next one ... up to the root, allowing
# intermediate OpenActive concepts in between (5-a-side sits under Small Sided Football).
EXPECTED_CHAIN = ["5-a-side", "football", "sport", "being-active"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class BuildError(Exception):
    pass


def normalise(phrase):
    """The service's matching normalisation (src/domain/phrase.rs): lowercase; every run of
    characters that are not letters or digits becomes one space; trimmed."""
    out = []
    pending_space = False
    for ch in phrase:
        for c in ch.lower():
            if c.isalnum():
                if pending_space and out:
                    out.append(" ")
                pending_space = False
                out.append(c)
            else:
                pending_space = True
    return "".join(out)


def slugify(label):
    """Lowercase ASCII words joined by '-': accents stripped, '&' -> 'and', trademark signs
    and apostrophes dropped."""
    s = label
    for mark in ("\u2122", "\u00ae", "\u00a9"):  # (TM) (R) (C): NFKD would turn TM into "TM"
        s = s.replace(mark, "")
    s = s.replace("&", " and ")
    s = re.sub(r"['\u2019]", "", s)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return s


def clean_text(text):
    if text is None:
        return None
    text = " ".join(str(text).split())
    return text or None


def dedupe_synonyms(label, synonyms):
    """De-duplicate synonyms by their normalised form, which is stricter than case-insensitive
    ("Knit-and-natter" and "knit and natter" are one phrase to the service); the first
    spelling wins. Drops empties and anything that is the label again."""
    seen = {normalise(label)}
    out = []
    for s in synonyms:
        s = " ".join(s.split())
        key = normalise(s)
        if not key or key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise BuildError(f"missing input {path.relative_to(ROOT)}")
    except json.JSONDecodeError as e:
        raise BuildError(f"{path.relative_to(ROOT)} is not valid JSON: {e}")


def build():
    oa = load_json(OPENACTIVE_PATH)
    ours = load_json(COMMUNITY_PATH)
    errors = []
    notes = []

    # ---- our terms -------------------------------------------------------------------
    terms = {}  # slug -> term dict (output shape, plus "_parent_ref" while building)
    for t in ours["terms"]:
        slug = t["slug"]
        if not SLUG_RE.match(slug):
            errors.append(f"our slug {slug!r} is not lowercase ASCII words joined by '-'")
        if slug in terms:
            errors.append(f"our slug {slug!r} is defined twice")
            continue
        label = t["label"].strip()
        terms[slug] = {
            "id": str(uuid.uuid5(NAMESPACE, slug)),
            "slug": slug,
            "label": label,
            "parent": t.get("parent"),
            "domain": None,
            "synonyms": dedupe_synonyms(label, t.get("synonyms", [])),
            "definition": clean_text(t.get("definition")),
            "source": "community-assets",
            "source_uri": None,
        }
    roots = sorted(s for s, t in terms.items() if t["parent"] is None)
    if len(roots) > MAX_ROOTS:
        errors.append(f"{len(roots)} domain roots; at most {MAX_ROOTS} allowed")

    # ---- OpenActive concepts ---------------------------------------------------------
    concepts = oa["concept"]
    by_uri = {c["id"]: c for c in concepts}
    oa_parents = ours["openactive_parents"]
    oa_extra = ours.get("openactive_synonyms", {})
    labels = {c["prefLabel"].strip() for c in concepts}
    for key in sorted(set(oa_parents) - labels):
        errors.append(f"openactive_parents names {key!r}, which is not an OpenActive prefLabel")
    for key in sorted(set(oa_extra) - labels):
        errors.append(f"openactive_synonyms names {key!r}, which is not an OpenActive prefLabel")
    if len(labels) != len(concepts):
        errors.append("OpenActive prefLabels are not unique; the mapping tables cannot key on them")

    # Slugs: ours first, then OpenActive in a fixed order (by base slug, then identifier) so
    # a collision is always resolved the same way.
    base = {c["id"]: slugify(c["prefLabel"]) for c in concepts}
    uri_slug = {}
    collisions = []
    collisions_report = []
    taken = set(terms)
    for c in sorted(concepts, key=lambda c: (base[c["id"]], c["identifier"])):
        s = base[c["id"]]
        if not s:
            errors.append(f"OpenActive {c['prefLabel']!r} has an empty slug")
            continue
        if s in taken:
            collisions.append(c)
        else:
            uri_slug[c["id"]] = s
            taken.add(s)

    def oa_parent_uri(c):
        for b in c.get("broader", []) or []:
            if b in by_uri:
                return b
        return None

    # A colliding slug gets its parent's slug appended (then a counter, if still taken).
    # Parents are resolved first so the suffix is itself final.
    pending = list(collisions)
    while pending:
        progress = False
        for c in list(pending):
            p = oa_parent_uri(c)
            if p is None:
                suffix = oa_parents.get(c["prefLabel"].strip())
            elif p in uri_slug:
                suffix = uri_slug[p]
            else:
                continue
            s = f"{base[c['id']]}-{suffix}" if suffix else base[c["id"]]
            n = 2
            candidate = s
            while candidate in taken:
                candidate = f"{s}-{n}"
                n += 1
            uri_slug[c["id"]] = candidate
            taken.add(candidate)
            collisions_report.append((c["prefLabel"], base[c["id"]], candidate))
            pending.remove(c)
            progress = True
        if not progress:
            for c in pending:
                errors.append(f"cannot make a unique slug for OpenActive {c['prefLabel']!r}")
            break

    for c in sorted(concepts, key=lambda c: c["identifier"]):
        if c["id"] not in uri_slug:
            continue
        label = c["prefLabel"].strip()
        p = oa_parent_uri(c)
        if p is not None:
            parent = uri_slug.get(p)
            if len(c.get("broader", [])) > 1:
                notes.append(f"{label!r} has {len(c['broader'])} broader concepts; using the first, {by_uri[p]['prefLabel']!r}")
        else:
            parent = oa_parents.get(label)
            if parent is None:
                errors.append(f"top-level OpenActive concept {label!r} has no entry in openactive_parents")
            elif parent not in terms:
                errors.append(f"openactive_parents maps {label!r} to {parent!r}, which is not one of our slugs")
        synonyms = list(c.get("altLabel", []) or []) + list(oa_extra.get(label, []))
        terms[uri_slug[c["id"]]] = {
            "id": str(uuid.UUID(c["identifier"])),
            "slug": uri_slug[c["id"]],
            "label": label,
            "parent": parent,
            "domain": None,
            "synonyms": dedupe_synonyms(label, synonyms),
            "definition": clean_text(c.get("definition")),
            "source": "openactive",
            "source_uri": c["id"],
        }

    # ---- tree checks, domains, depth ------------------------------------------------
    for t in terms.values():
        if t["parent"] is not None and t["parent"] not in terms:
            errors.append(f"term {t['slug']!r} has parent {t['parent']!r}, which does not exist")
    if errors:
        raise BuildError("\n".join(errors))

    depth = {}
    for slug in terms:
        chain = []
        s = slug
        while s is not None and s not in depth:
            if s in chain:
                raise BuildError(f"cycle in the tree: {' -> '.join(chain + [s])}")
            chain.append(s)
            s = terms[s]["parent"]
        d, dom = (depth[s] if s is not None else (-1, None))
        for s2 in reversed(chain):
            d += 1
            if terms[s2]["parent"] is None:
                dom = s2
            depth[s2] = (d, dom)
    for slug, (d, dom) in depth.items():
        terms[slug]["domain"] = dom
        if terms[dom]["source"] != "community-assets":
            errors.append(f"root {dom!r} is not one of our terms")
    ids = defaultdict(list)
    for t in terms.values():
        ids[t["id"]].append(t["slug"])
    for i, slugs in ids.items():
        if len(slugs) > 1:
            errors.append(f"id {i} is shared by {slugs}")

    ordered = sorted(terms.values(), key=lambda t: (depth[t["slug"]][0], t["slug"]))

    # ---- phrase index and checks ----------------------------------------------------
    index = defaultdict(set)
    for t in ordered:
        for phrase in [t["slug"], t["label"], *t["synonyms"]]:
            n = normalise(phrase)
            if n:
                index[n].add(t["slug"])
            else:
                errors.append(f"term {t['slug']!r} has a phrase that normalises to nothing: {phrase!r}")

    resolution = []
    for phrase, want in EXPECTED:
        got = sorted(index.get(normalise(phrase), ()))
        resolution.append((phrase, got))
        if got != [want]:
            errors.append(f"test phrase {phrase!r} resolves to {got or 'nothing'}, expected [{want!r}]")

    s = EXPECTED_CHAIN[0]
    ancestors = []
    while s is not None:
        ancestors.append(s)
        s = terms[s]["parent"] if s in terms else None
    pos = [ancestors.index(x) if x in ancestors else -1 for x in EXPECTED_CHAIN]
    if -1 in pos or pos != sorted(pos) or ancestors[-1] != EXPECTED_CHAIN[-1]:
        errors.append(f"example chain {EXPECTED_CHAIN} does not hold: {' -> '.join(ancestors)}")

    if errors:
        raise BuildError("\n".join(errors))

    ambiguities = {n: sorted(s) for n, s in index.items() if len(s) > 1}

    out = {
        "generated_by": "scripts/build_vocabulary.py",
        "sources": SOURCES,
        "terms": [
            {k: t[k] for k in ("id", "slug", "label", "parent", "domain", "synonyms", "definition", "source", "source_uri")}
            for t in ordered
        ],
    }
    return out, collisions_report, ambiguities, resolution, ancestors, notes



def main():
    try:
        out, collisions, ambiguities, resolution, chain, notes = build()
    except BuildError as e:
        print("build_vocabulary: FAILED", file=sys.stderr)
        for line in str(e).splitlines():
            print(f"  - {line}", file=sys.stderr)
        return 1

    text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    OUTPUT_PATH.write_text(text, encoding="utf-8")

    terms = out["terms"]
    n_oa = sum(1 for t in terms if t["source"] == "openactive")
    per_domain = defaultdict(lambda: [0, 0])
    for t in terms:
        per_domain[t["domain"]][0 if t["source"] == "openactive" else 1] += 1
    print(f"wrote {OUTPUT_PATH.relative_to(ROOT)}: {len(terms)} terms "
          f"({n_oa} OpenActive, {len(terms) - n_oa} community-assets)")
    print("per domain (total = OpenActive + ours):")
    for dom in sorted(per_domain):
        a, b = per_domain[dom]
        print(f"  {dom:28} {a + b:4} = {a:3} + {b:3}")
    print(f"example chain: {' -> '.join(chain)}")
    print(f"OpenActive concepts with several broader (first one used): {len(notes)}")
    print(f"slug collisions resolved: {len(collisions)}")
    for label, wanted, got in collisions:
        print(f"  {label!r}: {wanted!r} taken, using {got!r}")
    print("test phrases:")
    for phrase, got in resolution:
        print(f"  {phrase!r:22} -> {', '.join(got)}")
    print(f"ambiguous phrases (normalised phrase -> more than one term): {len(ambiguities)}")
    for n in sorted(ambiguities):
        print(f"  {n!r}: {', '.join(ambiguities[n])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
