#!/usr/bin/env python3
"""Reference implementation of the static phrase embeddings in
seed-data/embeddings/minilm-l6-static.bin, used to check src/domain/semantic.rs.

Run from the repository root:
    python3 scripts/embed_check.py                      # cosines of the reference pairs
    python3 scripts/embed_check.py "choir" "singing"    # cosine of one pair
    python3 scripts/embed_check.py --tokens "Kick-boxing, self defence!"

Standard library only. The tokenizer here is the one scripts/distil_embeddings.py uses for the
full model too: the BERT uncased rules of the model's tokenizer.json (BertNormalizer with
lowercase and accent stripping, BertPreTokenizer, WordPiece with "##" continuations and 100
characters per word at most), written from those settings with the full Unicode tables of
Python's unicodedata. The Rust module uses small hand-written tables instead, so the expected
cosines its tests hold come from this file: if the two disagree on a phrase, one of them is
wrong.
"""

import math
import struct
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE_PATH = ROOT / "seed-data" / "embeddings" / "minilm-l6-static.bin"

MAGIC = b"CAEMB001"
UNK = "[UNK]"
CONTINUATION = "##"
MAX_WORD_CHARS = 100

# The pairs whose cosines src/domain/semantic.rs asserts (within 1e-3). Change both together.
REFERENCE_PAIRS = [
    ("choir", "singing"),
    ("choir", "football"),
    ("mums and babies", "parent and toddler group"),
    ("mums and babies", "museums and galleries"),
    ("Kick-boxing, self defence!", "martial arts"),
]


# --- Tokenizer (BERT uncased, as tokenizer.json configures it) ---------------------------------

def _is_control(c):
    # BertNormalizer drops every "other" character (Cc, Cf, Cn, Co, Cs) except tab and newlines,
    # which it turns into spaces.
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


# Rust's char::is_whitespace (the Unicode White_Space property), which the Hugging Face
# tokenizers library uses in both the normalizer and the pre-tokenizer.
_WHITESPACE = set(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def _is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def normalise(text):
    """BertNormalizer: clean text, pad CJK ideographs, strip accents (NFD, drop Mn), lowercase."""
    out = []
    for c in text:
        if c == "\0" or c == "\ufffd" or _is_control(c):
            continue
        if c in _WHITESPACE:
            out.append(" ")
        elif _is_cjk(ord(c)):
            out.append(" " + c + " ")
        else:
            out.append(c)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    # Lowercasing char by char, as Rust's char::to_lowercase does (Python's str.lower agrees
    # for everything but a final sigma, which never reaches a word piece we keep).
    return "".join(c.lower() for c in text)


def pre_tokenise(text):
    """BertPreTokenizer: split on whitespace; every punctuation character is a word of its own."""
    words, current = [], []
    for c in text:
        if c in _WHITESPACE:
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(c):
            if current:
                words.append("".join(current))
                current = []
            words.append(c)
        else:
            current.append(c)
    if current:
        words.append("".join(current))
    return words


def word_pieces(word, vocab):
    """WordPiece, greedy longest match first; a word with any unmatchable part is one [UNK]."""
    if len(word) > MAX_WORD_CHARS:
        return [UNK]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end]
            if start > 0:
                piece = CONTINUATION + piece
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return [UNK]
        pieces.append(found)
        start = end
    return pieces


def tokenise(text, vocab):
    pieces = []
    for word in pre_tokenise(normalise(text)):
        pieces.extend(word_pieces(word, vocab))
    return pieces


# --- The static table ---------------------------------------------------------------------------

class StaticTable:
    """The file format is described in seed-data/embeddings/README.md."""

    def __init__(self, data):
        if data[:8] != MAGIC:
            raise ValueError("not a CAEMB001 file")
        dims, count = struct.unpack_from("<II", data, 8)
        offset = 16
        tokens = []
        for _ in range(count):
            length = data[offset]
            tokens.append(data[offset + 1 : offset + 1 + length].decode("utf-8"))
            offset += 1 + length
        scales = struct.unpack_from("<%df" % count, data, offset)
        offset += 4 * count
        values = struct.unpack_from("<%db" % (count * dims), data, offset)
        offset += count * dims
        if offset != len(data):
            raise ValueError("trailing bytes")
        self.dims = dims
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.scales = scales
        self.values = values

    @classmethod
    def load(cls, path=TABLE_PATH):
        return cls(Path(path).read_bytes())

    def row(self, i):
        s, d = self.scales[i], self.dims
        return [s * v for v in self.values[i * d : (i + 1) * d]]

    def embed(self, text):
        """Mean of the known pieces' vectors, L2-normalised; None if no piece is known."""
        ids = [self.index[p] for p in tokenise(text, self.index) if p in self.index]
        if not ids:
            return None
        total = [0.0] * self.dims
        for i in ids:
            for k, v in enumerate(self.row(i)):
                total[k] += v
        total = [v / len(ids) for v in total]
        norm = math.sqrt(sum(v * v for v in total))
        if norm == 0.0:
            return None
        return [v / norm for v in total]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def main(argv):
    table = StaticTable.load()
    if argv[:1] == ["--tokens"]:
        for text in argv[1:]:
            print(text, "->", tokenise(text, table.index))
        return 0
    pairs = [tuple(argv[i : i + 2]) for i in range(0, len(argv) - 1, 2)] or REFERENCE_PAIRS
    for a, b in pairs:
        ea, eb = table.embed(a), table.embed(b)
        value = "None" if ea is None or eb is None else "%.6f" % cosine(ea, eb)
        print("%-30s %-30s %s" % (a, b, value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
