//! Offline semantic similarity for short phrases ("choir" is near "singing", "mums and babies"
//! near "parent and toddler group"), without a neural network at run time.
//!
//! The table in `seed-data/embeddings/minilm-l6-static.bin` holds one vector per word piece,
//! distilled from the sentence-transformers model all-MiniLM-L6-v2 by
//! `scripts/distil_embeddings.py` (the model2vec method; sources, licence, file format and
//! measurements in `seed-data/embeddings/README.md`). A phrase is tokenised exactly as the
//! model's own tokenizer would (BERT uncased WordPiece) and its vector is the normalised mean
//! of its pieces' vectors: a few hash lookups and a few hundred additions per phrase.
//!
//! `scripts/embed_check.py` is the reference implementation in Python; the expected cosines in
//! the tests below come from it.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

const MODEL_BYTES: &[u8] = include_bytes!("../../seed-data/embeddings/minilm-l6-static.bin");

const MAGIC: &[u8; 8] = b"CAEMB001";
const UNK: &str = "[UNK]";
const CONTINUATION: &str = "##";
/// The model's tokenizer turns longer words into one `[UNK]` rather than splitting them.
const MAX_WORD_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemanticError {
    #[error("not a static embedding table (expected the magic bytes CAEMB001)")]
    BadMagic,
    #[error("the embedding table ends early, in {0}")]
    Truncated(&'static str),
    #[error("the embedding table has no dimensions")]
    NoDimensions,
    #[error("token {0} of the embedding table is empty or not UTF-8")]
    InvalidToken(usize),
    #[error("the embedding table lists the token {0:?} twice")]
    DuplicateToken(String),
    #[error("token {0} of the embedding table has a scale that is not a finite number")]
    InvalidScale(usize),
    #[error("the embedding table has {0} bytes after its last row")]
    TrailingBytes(usize),
}

/// Static word-piece embeddings: an int8 matrix with one f32 scale per row.
pub struct StaticModel {
    dims: usize,
    vocab: HashMap<String, u32>,
    scales: Vec<f32>,
    values: Vec<i8>,
}

impl fmt::Debug for StaticModel {
    // The derived form would print millions of numbers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticModel")
            .field("dims", &self.dims)
            .field("tokens", &self.vocab.len())
            .finish_non_exhaustive()
    }
}

/// A bounds-checked cursor, so that a damaged table is an error and never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], SemanticError> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(SemanticError::Truncated(what))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, SemanticError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl StaticModel {
    /// Parses a table in the format of `seed-data/embeddings/README.md`: magic `CAEMB001`,
    /// u32 LE dimensions, u32 LE token count, each token as a u8 length and UTF-8 bytes, one
    /// f32 LE scale per token, then token count × dimensions int8 values, row by row.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SemanticError> {
        let mut reader = Reader { bytes, pos: 0 };
        if reader.take(MAGIC.len(), "the magic bytes")? != MAGIC {
            return Err(SemanticError::BadMagic);
        }
        let dims = reader.u32("the header")? as usize;
        let count = reader.u32("the header")? as usize;
        if dims == 0 {
            return Err(SemanticError::NoDimensions);
        }

        // Not with_capacity(count): a damaged count would reserve gigabytes before the reads
        // below find the table too short.
        let mut vocab = HashMap::new();
        for index in 0..count {
            let len = reader.take(1, "the tokens")?[0];
            let raw = reader.take(usize::from(len), "the tokens")?;
            let token = std::str::from_utf8(raw)
                .ok()
                .filter(|t| !t.is_empty())
                .ok_or(SemanticError::InvalidToken(index))?;
            // index < count, and count came from a u32.
            let id = u32::try_from(index).map_err(|_| SemanticError::InvalidToken(index))?;
            if vocab.insert(token.to_owned(), id).is_some() {
                return Err(SemanticError::DuplicateToken(token.to_owned()));
            }
        }

        let scale_bytes = count
            .checked_mul(4)
            .ok_or(SemanticError::Truncated("the scales"))?;
        let scales: Vec<f32> = reader
            .take(scale_bytes, "the scales")?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(bad) = scales.iter().position(|s| !s.is_finite()) {
            return Err(SemanticError::InvalidScale(bad));
        }

        let value_count = count
            .checked_mul(dims)
            .ok_or(SemanticError::Truncated("the vectors"))?;
        let values: Vec<i8> = reader
            .take(value_count, "the vectors")?
            .iter()
            .map(|&b| i8::from_le_bytes([b]))
            .collect();

        let rest = bytes.len() - reader.pos;
        if rest != 0 {
            return Err(SemanticError::TrailingBytes(rest));
        }
        Ok(StaticModel {
            dims,
            vocab,
            scales,
            values,
        })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Whether a lowercase word is a whole token of the model's vocabulary: a common English
    /// word, so not a spelling slip of something else.
    pub fn knows_word(&self, word: &str) -> bool {
        self.vocab.contains_key(word)
    }

    pub fn token_count(&self) -> usize {
        self.vocab.len()
    }

    /// The word pieces of `text` as the model's tokenizer produces them, with `[UNK]` for a word
    /// that cannot be split into pieces the table knows. For explaining a match and for tests.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pieces = Vec::new();
        let mut scratch = String::new();
        for_each_word(text, |word| {
            if self.word_pieces(word, &mut pieces, &mut scratch) {
                for &(start, end, _) in &pieces {
                    let prefix = if start == 0 { "" } else { CONTINUATION };
                    out.push(format!("{prefix}{}", &word[start..end]));
                }
            } else {
                out.push(UNK.to_owned());
            }
        });
        out
    }

    /// The phrase's vector: the mean of its known pieces' vectors, L2-normalised. `None` when
    /// no piece of the text is in the table (empty text, symbols only, other scripts).
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut sum = vec![0.0f32; self.dims];
        let mut known = 0usize;
        let mut pieces = Vec::new();
        let mut scratch = String::new();
        for_each_word(text, |word| {
            // An [UNK] word adds nothing, as model2vec does: there is no vector for "unknown".
            if self.word_pieces(word, &mut pieces, &mut scratch) {
                for &(_, _, id) in &pieces {
                    self.add_row(id, &mut sum);
                    known += 1;
                }
            }
        });
        if known == 0 {
            return None;
        }
        // Dividing by `known` would not change the direction, and normalising follows.
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_normal() {
            return None;
        }
        for v in &mut sum {
            *v /= norm;
        }
        Some(sum)
    }

    fn add_row(&self, id: u32, sum: &mut [f32]) {
        let row = id as usize;
        let scale = self.scales[row];
        let values = &self.values[row * self.dims..(row + 1) * self.dims];
        for (acc, &q) in sum.iter_mut().zip(values) {
            *acc += scale * f32::from(q);
        }
    }

    /// WordPiece, greedy longest match first, as the model's tokenizer does. Fills `pieces` with
    /// (start, end, id) byte ranges of `word`; false when the word is `[UNK]` (too long, or some
    /// part of it matches no piece).
    fn word_pieces(
        &self,
        word: &str,
        pieces: &mut Vec<(usize, usize, u32)>,
        scratch: &mut String,
    ) -> bool {
        pieces.clear();
        if word.chars().count() > MAX_WORD_CHARS {
            return false;
        }
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while end > start {
                let candidate = &word[start..end];
                let id = if start == 0 {
                    self.vocab.get(candidate)
                } else {
                    scratch.clear();
                    scratch.push_str(CONTINUATION);
                    scratch.push_str(candidate);
                    self.vocab.get(scratch.as_str())
                };
                if let Some(&id) = id {
                    found = Some(id);
                    break;
                }
                match candidate.chars().next_back() {
                    Some(last) => end -= last.len_utf8(),
                    None => break,
                }
            }
            match found {
                Some(id) => {
                    pieces.push((start, end, id));
                    start = end;
                }
                None => return false,
            }
        }
        true
    }
}

/// Cosine similarity; 0 when either vector is zero. Vectors from [`StaticModel::embed`] are
/// already unit length, so for them this is the dot product.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len(), "vectors from different tables");
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}

/// The table compiled into the binary, parsed on first use (about 28,000 tokens).
pub fn model() -> &'static StaticModel {
    static MODEL: OnceLock<StaticModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        StaticModel::from_bytes(MODEL_BYTES).expect(
            "the committed seed-data/embeddings/minilm-l6-static.bin parses (the tests load it)",
        )
    })
}

// --- The model's text normalisation and pre-tokenisation --------------------------------------
//
// tokenizer.json configures BertNormalizer (clean text, pad CJK ideographs, strip accents,
// lowercase) and BertPreTokenizer (split on whitespace; each punctuation character is a word of
// its own). Accent stripping means NFD and dropping combining marks; without Unicode tables we
// do it for Latin-1 and Latin Extended-A, which is every accented letter the table keeps.

/// Calls `f` with each normalised word of `text`.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    let mut single = [0u8; 4];
    for raw in text.chars() {
        if is_dropped(raw) {
            continue;
        }
        if raw.is_whitespace() {
            flush(&mut word, &mut f);
            continue;
        }
        if is_cjk(raw) {
            flush(&mut word, &mut f);
            f(raw.encode_utf8(&mut single));
            continue;
        }
        let Some(base) = strip_accent(raw) else {
            continue;
        };
        for c in base.to_lowercase() {
            if is_combining_mark(c) {
                continue;
            }
            if is_punctuation(c) {
                flush(&mut word, &mut f);
                f(c.encode_utf8(&mut single));
            } else {
                word.push(c);
            }
        }
    }
    flush(&mut word, &mut f);
}

fn flush(word: &mut String, f: &mut impl FnMut(&str)) {
    if !word.is_empty() {
        f(word);
        word.clear();
    }
}

/// What BertNormalizer's clean-up removes: control and format characters (tab and newlines
/// are whitespace instead), private-use characters and U+FFFD. Format characters matter:
/// a soft hyphen or zero-width space inside a pasted word must join it, not split it.
fn is_dropped(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    c.is_control()
        || matches!(
            u32::from(c),
            0xAD | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0xFFFD
                | 0xE000..=0xF8FF
                | 0xF_0000..=0x10_FFFF
        )
}

/// CJK ideographs become words of their own (BertNormalizer's handle_chinese_chars).
fn is_cjk(c: char) -> bool {
    matches!(
        u32::from(c),
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x2_0000..=0x2_A6DF
            | 0x2_A700..=0x2_B73F
            | 0x2_B740..=0x2_B81F
            | 0x2_B820..=0x2_CEAF
            | 0xF900..=0xFAFF
            | 0x2_F800..=0x2_FA1F
    )
}

/// The marks NFD leaves behind (Unicode category Mn) in the blocks Latin text uses.
fn is_combining_mark(c: char) -> bool {
    matches!(u32::from(c), 0x0300..=0x036F | 0x1DC0..=0x1DFF | 0xFE20..=0xFE2F)
}

/// For U+00C0..=U+017F: the base letter of the character's canonical decomposition, or '.'
/// where it has none (Æ, Ð, ×, Ø, Þ, ß, æ, ð, ÷, ø, þ, Đ, Ħ, ı, Ĳ, ĸ, Ŀ, Ł, ŉ, Ŋ, Œ, Ŧ, ſ...).
/// Generated from Python's unicodedata: NFD, then drop the combining marks.
const LATIN_FOLD: &[u8; 192] = b"AAAAAA.CEEEEIIII.NOOOOO..UUUUY..\
aaaaaa.ceeeeiiii.nooooo..uuuuy.y\
AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGg\
GgGgHh..IiIiIiIiI...JjKk.LlLlLl.\
...NnNnNn...OoOoOo..RrRrRrSsSsSs\
SsTtTt..UuUuUuUuUuUuWwYyYZzZzZz.";

/// Strips the accent from a Latin letter; `None` for a combining mark, which stripping removes.
fn strip_accent(c: char) -> Option<char> {
    if is_combining_mark(c) {
        return None;
    }
    let folded = u32::from(c)
        .checked_sub(0xC0)
        .and_then(|i| LATIN_FOLD.get(i as usize))
        .filter(|&&b| b != b'.')
        .map(|&b| char::from(b));
    Some(folded.unwrap_or(c))
}

/// BertPreTokenizer's punctuation: ASCII punctuation and symbols, and Unicode category P*.
/// Without Unicode tables, the P* ranges are those of Latin-1, General Punctuation,
/// Supplemental Punctuation, CJK Symbols and Punctuation, and the small and full-width forms.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            u32::from(c),
            0xA1 | 0xA7
                | 0xAB
                | 0xB6..=0xB7
                | 0xBB
                | 0xBF
                | 0x2010..=0x2027
                | 0x2030..=0x2043
                | 0x2045..=0x2051
                | 0x2053..=0x205E
                | 0x2E00..=0x2E2E
                | 0x2E30..=0x2E4F
                | 0x2E52..=0x2E5D
                | 0x3001..=0x3003
                | 0x3008..=0x3011
                | 0x3014..=0x301F
                | 0x3030
                | 0x303D
                | 0xFE30..=0xFE52
                | 0xFE54..=0xFE61
                | 0xFE63
                | 0xFE68
                | 0xFE6A..=0xFE6B
                | 0xFF01..=0xFF03
                | 0xFF05..=0xFF0A
                | 0xFF0C..=0xFF0F
                | 0xFF1A..=0xFF1B
                | 0xFF1F..=0xFF20
                | 0xFF3B..=0xFF3D
                | 0xFF3F
                | 0xFF5B
                | 0xFF5D
                | 0xFF5F..=0xFF65
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w.to_owned()));
        out
    }

    fn cos(a: &str, b: &str) -> f32 {
        let m = model();
        cosine(
            &m.embed(a).expect("known text"),
            &m.embed(b).expect("known text"),
        )
    }

    #[test]
    fn the_committed_table_loads() {
        let m = model();
        assert_eq!(m.dims(), 256);
        assert!(m.token_count() > 25_000, "{} tokens", m.token_count());
    }

    #[test]
    fn tokenizes_like_the_models_tokenizer() {
        let m = model();
        // Hyphen and comma are words of their own; each whole word is in the vocabulary.
        assert_eq!(
            m.tokenize("Kick-boxing, self defence!"),
            ["kick", "-", "boxing", ",", "self", "defence", "!"]
        );
        assert_eq!(m.tokenize("kickboxing"), ["kick", "##box", "##ing"]);
        assert_eq!(m.tokenize("Zumba®"), ["zu", "##mba", "##®"]);
        assert_eq!(m.tokenize("men’s shed"), ["men", "’", "s", "shed"]);
        // ™ is a symbol, not punctuation: it stays in the word.
        assert_eq!(m.tokenize("Bodypump™"), ["body", "##pu", "##mp", "##™"]);
        assert_eq!(
            m.tokenize("naïve Ærø straße"),
            ["naive", "æ", "##r", "##ø", "st", "##raße"]
        );
        assert_eq!(m.tokenize(&"a".repeat(101)), [UNK]);
        assert_eq!(m.tokenize("中文"), [UNK, UNK]);
    }

    #[test]
    fn normalises_like_bert_uncased() {
        assert_eq!(words("café"), ["cafe"]);
        assert_eq!(words("CAFÉ"), ["cafe"]);
        assert_eq!(words("cafe\u{301}"), ["cafe"]);
        assert_eq!(words("Crème Brûlée"), ["creme", "brulee"]);
        assert_eq!(words("İstanbul Łódź Ærø"), ["istanbul", "łodz", "ærø"]);
        // Soft hyphen and zero-width space join; a tab splits.
        assert_eq!(
            words("knit\u{ad}ting zum\u{200b}ba\tclub"),
            ["knitting", "zumba", "club"]
        );
        assert_eq!(
            words("£5 (0-5yrs)…"),
            ["£5", "(", "0", "-", "5yrs", ")", "…"]
        );
        assert_eq!(words("ab中c"), ["ab", "中", "c"]);
        assert_eq!(words("  \n "), Vec::<String>::new());
    }

    #[test]
    fn text_with_no_known_piece_has_no_vector() {
        let m = model();
        assert_eq!(m.embed(""), None);
        assert_eq!(m.embed("   \t"), None);
        assert_eq!(m.embed("中文 日本"), None);
        assert_eq!(m.embed("\u{200b}\u{feff}"), None);
        assert_eq!(m.embed(&"x".repeat(150)), None);
    }

    #[test]
    fn related_phrases_score_higher_than_unrelated_ones() {
        assert!(cos("choir", "singing") > cos("choir", "football"));
        assert!(
            cos("mums and babies", "parent and toddler group")
                > cos("mums and babies", "museums and galleries")
        );
        assert!(cos("football", "soccer") > cos("football", "knitting"));
        assert!(cos("food bank", "free meals") > cos("food bank", "chess club"));
    }

    /// Cosines from `python3 scripts/embed_check.py`, the reference implementation: the
    /// tokenizer, the dequantisation and the maths must agree with it.
    #[test]
    fn agrees_with_the_python_reference() {
        let expected = [
            ("choir", "singing", 0.598497),
            ("choir", "football", 0.069520),
            ("mums and babies", "parent and toddler group", 0.280882),
            ("mums and babies", "museums and galleries", 0.086399),
            ("Kick-boxing, self defence!", "martial arts", 0.498691),
        ];
        for (a, b, want) in expected {
            let got = cos(a, b);
            assert!(
                (got - want).abs() < 1e-3,
                "cos({a:?}, {b:?}) = {got}, reference {want}"
            );
        }
    }

    #[test]
    fn embedding_is_deterministic_and_unit_length() {
        let m = model();
        let a = m.embed("Parent and toddler group").expect("known text");
        let b = m.embed("Parent and toddler group").expect("known text");
        assert_eq!(a, b);
        assert_eq!(a.len(), m.dims());
        let norm = a.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-5);
        // Case and accents do not change the vector.
        assert_eq!(m.embed("CAFÉ"), m.embed("cafe"));
    }

    fn table(dims: u32, tokens: &[&str], scales: &[f32], values: &[i8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(dims.to_le_bytes());
        out.extend(u32::try_from(tokens.len()).expect("small").to_le_bytes());
        for t in tokens {
            out.push(u8::try_from(t.len()).expect("short token"));
            out.extend(t.as_bytes());
        }
        for s in scales {
            out.extend(s.to_le_bytes());
        }
        out.extend(values.iter().map(|v| v.to_le_bytes()[0]));
        out
    }

    #[test]
    fn a_small_table_embeds_by_mean_and_normalisation() {
        let bytes = table(
            2,
            &["run", "##ning", "walk"],
            &[0.5, 1.0, 2.0],
            &[2, 0, 0, 3, -1, 0],
        );
        let m = StaticModel::from_bytes(&bytes).expect("valid table");
        // The comma is not in this table.
        assert_eq!(m.tokenize("Running, walk"), ["run", "##ning", UNK, "walk"]);
        // run (1, 0) + ##ning (0, 3) = (1, 3), normalised.
        let v = m.embed("running").expect("known");
        let n = 10f32.sqrt();
        assert!(
            (v[0] - 1.0 / n).abs() < 1e-6 && (v[1] - 3.0 / n).abs() < 1e-6,
            "{v:?}"
        );
        // run (1, 0) + walk (-2, 0) = (-1, 0).
        assert_eq!(m.embed("run walk"), Some(vec![-1.0, 0.0]));
        // A word with a part that matches nothing is [UNK] as a whole, and adds nothing.
        assert_eq!(m.tokenize("runx walk"), [UNK, "walk"]);
        assert_eq!(m.embed("runx walk"), m.embed("walk"));
        assert_eq!(m.embed("swim"), None);
    }

    #[test]
    fn damaged_tables_are_errors() {
        let good = table(2, &["a", "b"], &[1.0, 1.0], &[1, 2, 3, 4]);
        assert!(StaticModel::from_bytes(&good).is_ok());

        let mut bad_magic = good.clone();
        bad_magic[7] = b'2';
        assert_eq!(
            StaticModel::from_bytes(&bad_magic).unwrap_err(),
            SemanticError::BadMagic
        );

        for len in [0, 5, 12, 16, 18, good.len() - 1] {
            assert!(
                matches!(
                    StaticModel::from_bytes(&good[..len]),
                    Err(SemanticError::Truncated(_))
                ),
                "length {len}"
            );
        }

        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            StaticModel::from_bytes(&trailing).unwrap_err(),
            SemanticError::TrailingBytes(1)
        );

        let duplicate = table(2, &["a", "a"], &[1.0, 1.0], &[1, 2, 3, 4]);
        assert_eq!(
            StaticModel::from_bytes(&duplicate).unwrap_err(),
            SemanticError::DuplicateToken("a".into())
        );

        let nan = table(2, &["a", "b"], &[1.0, f32::NAN], &[1, 2, 3, 4]);
        assert_eq!(
            StaticModel::from_bytes(&nan).unwrap_err(),
            SemanticError::InvalidScale(1)
        );

        let empty_token = table(2, &["a", ""], &[1.0, 1.0], &[1, 2, 3, 4]);
        assert_eq!(
            StaticModel::from_bytes(&empty_token).unwrap_err(),
            SemanticError::InvalidToken(1)
        );

        let no_dims = table(0, &[], &[], &[]);
        assert_eq!(
            StaticModel::from_bytes(&no_dims).unwrap_err(),
            SemanticError::NoDimensions
        );

        // A huge count in a short file fails on length, without reserving memory for it.
        let mut huge = table(2, &[], &[], &[]);
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            StaticModel::from_bytes(&huge),
            Err(SemanticError::Truncated(_))
        ));
    }

    #[test]
    fn cosine_of_simple_vectors() {
        assert!(cosine(&[1.0, 0.0], &[0.0, 2.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[-3.0, 0.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}
