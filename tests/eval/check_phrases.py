#!/usr/bin/env python3
"""Check tests/eval/phrases.json against the vocabulary and the demo seed data.

Standard library only. Run from anywhere:  python3 tests/eval/check_phrases.py [-v]

Errors (exit status 1):
  - malformed file or entry (keys, types), empty about or note;
  - an id that is not "p" and three or more digits, a duplicate id, a duplicate phrase
    (compared after lowercasing and turning runs of non-letters/digits into one space);
  - a phrase that is empty or longer than 100 characters;
  - an expected slug that is not in seed-data/vocabulary.json, an empty group, a slug twice in
    one group, two identical groups;
  - an unknown kind or part; kind "none" without an empty expect, or an empty expect with
    another kind; a "multi" phrase with fewer than two groups;
  - a part that breaks the split rule: holdout exactly when the id's number is a multiple of 3;
  - a domain that is not the domain of the first expected slug (null when expect is empty);
  - the set's coverage below its design: fewer than 330 phrases, a domain with fewer than 12
    phrases, fewer than 80 being-active phrases, a kind below its minimum, or "none" outside
    3-8% of the set.
Information (never an error):
  - counts per domain, kind and part;
  - whether the demo directory has an asset tagged with an expected slug or a narrower term of
    one (narrower terms follow `parent` in the vocabulary), and the share of phrases for which it
    does. With -v, lists the phrases with no such asset.
"""
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seed-data"
KINDS = ["plain", "synonym", "spelling", "filler", "multi", "lookalike", "semantic", "none"]
PARTS = ["dev", "holdout"]
KEYS = {"id", "phrase", "domain", "expect", "kind", "part", "note"}
MIN_TOTAL = 330
MIN_PER_DOMAIN = 12
MIN_BEING_ACTIVE = 80
MIN_KIND = {"multi": 40, "filler": 40, "lookalike": 30, "semantic": 40, "synonym": 40,
            "spelling": 25, "none": 15}
NONE_SHARE = (0.03, 0.08)


def norm(s):
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def load():
    vocab = json.loads((SEED / "vocabulary.json").read_text())["terms"]
    assets = json.loads((SEED / "demo/assets.json").read_text())
    data = json.loads((Path(__file__).resolve().parent / "phrases.json").read_text())
    return vocab, assets, data


def descendants(vocab):
    """slug -> set of the slug and every narrower slug."""
    children = defaultdict(list)
    for t in vocab:
        if t["parent"]:
            children[t["parent"]].append(t["slug"])
    out = {}
    for t in vocab:
        seen, stack = set(), [t["slug"]]
        while stack:
            s = stack.pop()
            if s not in seen:
                seen.add(s)
                stack.extend(children[s])
        out[t["slug"]] = seen
    return out


def check_entry(p, domain_of, errors):
    """Returns the entry's id for messages; appends problems to errors."""
    pid = p.get("id", "?") if isinstance(p, dict) else "?"
    if not isinstance(p, dict):
        errors.append("an entry is not an object")
        return None
    if set(p) != KEYS:
        errors.append("%s: keys %s, expected %s" % (pid, sorted(p), sorted(KEYS)))
        return None
    if not isinstance(pid, str) or not re.fullmatch(r"p\d{3,}", pid):
        errors.append("%r: id must be p and three or more digits" % (pid,))
        return None
    ph = p["phrase"]
    if not isinstance(ph, str) or not 1 <= len(ph) <= 100 or ph != ph.strip():
        errors.append("%s: phrase must be 1-100 characters with no outer spaces" % pid)
    if not isinstance(p["note"], str) or not p["note"].strip():
        errors.append("%s: empty note" % pid)
    if p["kind"] not in KINDS:
        errors.append("%s: unknown kind %r" % (pid, p["kind"]))
    if p["part"] not in PARTS:
        errors.append("%s: unknown part %r" % (pid, p["part"]))
    want = "holdout" if int(pid[1:]) % 3 == 0 else "dev"
    if p["part"] != want:
        errors.append("%s: part is %s, the split rule says %s" % (pid, p["part"], want))
    ex = p["expect"]
    if not isinstance(ex, list) or not all(isinstance(g, list) for g in ex):
        errors.append("%s: expect must be a list of lists" % pid)
        return pid
    groups = []
    for g in ex:
        if not g:
            errors.append("%s: empty group in expect" % pid)
            continue
        if not all(isinstance(s, str) for s in g):
            errors.append("%s: a slug is not a string" % pid)
            continue
        if len(set(g)) != len(g):
            errors.append("%s: a slug repeats in group %s" % (pid, g))
        for s in g:
            if s not in domain_of:
                errors.append("%s: unknown slug %r" % (pid, s))
        if tuple(g) in groups:
            errors.append("%s: group %s appears twice" % (pid, g))
        groups.append(tuple(g))
    if (p["kind"] == "none") != (ex == []):
        errors.append("%s: kind none and an empty expect go together" % pid)
    if p["kind"] == "multi" and len(ex) < 2:
        errors.append("%s: a multi phrase needs two or more groups" % pid)
    want_domain = domain_of.get(ex[0][0]) if ex and ex[0] else None
    if p["domain"] != want_domain:
        errors.append("%s: domain %r, but the first expected slug is in %r" % (pid, p["domain"], want_domain))
    return pid


def main():
    verbose = "-v" in sys.argv[1:]
    vocab, assets, data = load()
    domain_of = {t["slug"]: t["domain"] for t in vocab}
    domains = sorted({t["domain"] for t in vocab})
    below = descendants(vocab)
    tagged = Counter(s for a in assets for s in a["interests"])
    errors = []

    if not isinstance(data, dict) or set(data) != {"about", "phrases"}:
        print("error: the file must be an object with exactly 'about' and 'phrases'")
        return 1
    if not isinstance(data["about"], str) or not data["about"].strip():
        errors.append("empty about")
    phrases = data["phrases"]
    if not isinstance(phrases, list):
        print("error: phrases must be a list")
        return 1

    ids, seen_phrase, good = set(), {}, []
    for p in phrases:
        pid = check_entry(p, domain_of, errors)
        if pid is None:
            continue
        if pid in ids:
            errors.append("%s: duplicate id" % pid)
        ids.add(pid)
        if isinstance(p["phrase"], str):
            key = norm(p["phrase"])
            if key in seen_phrase:
                errors.append("%s: same phrase as %s (%r)" % (pid, seen_phrase[key], p["phrase"]))
            seen_phrase.setdefault(key, pid)
        good.append(p)
    good.sort(key=lambda p: int(p["id"][1:]))
    numbers = [int(p["id"][1:]) for p in good]
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        print("note: ids do not run p001.. without gaps; the split still follows the id numbers")

    by_domain = Counter(p["domain"] for p in good)
    by_kind = Counter(p["kind"] for p in good)
    by_part = Counter(p["part"] for p in good)
    kind_part = Counter((p["kind"], p["part"]) for p in good)

    if len(good) < MIN_TOTAL:
        errors.append("only %d phrases; the design asks for at least %d" % (len(good), MIN_TOTAL))
    for d in domains:
        if by_domain[d] < MIN_PER_DOMAIN:
            errors.append("domain %s has %d phrases; at least %d" % (d, by_domain[d], MIN_PER_DOMAIN))
    if by_domain["being-active"] < MIN_BEING_ACTIVE:
        errors.append("being-active has %d phrases; at least %d" % (by_domain["being-active"], MIN_BEING_ACTIVE))
    for k, n in MIN_KIND.items():
        if by_kind[k] < n:
            errors.append("kind %s has %d phrases; at least %d" % (k, by_kind[k], n))
    if good:
        share = by_kind["none"] / len(good)
        if not NONE_SHARE[0] <= share <= NONE_SHARE[1]:
            errors.append("none is %.1f%% of the set; keep it near 5%%" % (100 * share))

    # Information: does the demo directory hold an asset for the expected concepts?
    covered = {"dev": [0, 0], "holdout": [0, 0]}
    uncovered = []
    for p in good:
        if not p["expect"] or p["part"] not in covered:
            continue
        slugs = {s for g in p["expect"] for s in g if s in below}
        hit = any(tagged[n] for s in slugs for n in below[s])
        covered[p["part"]][1] += 1
        if hit:
            covered[p["part"]][0] += 1
        else:
            uncovered.append(p)

    print("phrases: %d" % len(good))
    print("by domain:")
    for d in domains:
        print("  %-24s %3d" % (d, by_domain[d]))
    print("  %-24s %3d" % ("(none: expect is empty)", by_domain[None]))
    print("by kind (dev / holdout):")
    for k in KINDS:
        print("  %-10s %3d  (%d / %d)" % (k, by_kind[k], kind_part[(k, "dev")], kind_part[(k, "holdout")]))
    print("by part: dev %d, holdout %d" % (by_part["dev"], by_part["holdout"]))
    hit = covered["dev"][0] + covered["holdout"][0]
    tot = covered["dev"][1] + covered["holdout"][1]
    if tot:
        print("demo coverage (an asset tagged with an expected slug or a narrower term): "
              "%d of %d phrases with concepts (%.0f%%); dev %d/%d, holdout %d/%d"
              % (hit, tot, 100.0 * hit / tot, covered["dev"][0], covered["dev"][1],
                 covered["holdout"][0], covered["holdout"][1]))
    if verbose:
        for p in uncovered:
            print("no demo asset: %s %r -> %s" % (p["id"], p["phrase"], p["expect"]))
    for e in errors:
        print("error:", e)
    print("%d errors" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
