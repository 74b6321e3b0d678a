// BERT's WordPiece tokenizer (transformers' BertTokenizer), for the page: the same steps as
// cola's C++ tokenizer (src/text), so the browser's ids equal `cola predict`'s. Tested on the
// 9,116 golden cases of ../shared/golden/tokenizer by tests/web/tokenizer_test.mjs under Node.

const SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const MAX_CHARS_PER_WORD = 100; // longer words are [UNK], as in BERT

// Python's BertTokenizer drops Cc and Cf; the Rust tokenizer (and the goldens) also private use.
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}]/u;
const WHITESPACE = /[ \t\n\r\p{Zs}\p{Zl}\p{Zp}]/u;
const PUNCTUATION = /[\p{P}]/u;
const NONSPACING_MARK = /\p{Mn}/u;

// BERT counts every non-letter, non-digit ASCII character as punctuation ($ + < = > ^ ` | ~).
function isPunctuation(cp, ch) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126)) {
    return true;
  }
  return PUNCTUATION.test(ch);
}

// The CJK Unified Ideograph blocks (transformers' _is_chinese_char), not Kana or Hangul.
function isCjkIdeograph(cp) {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
      (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
      (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

export class BertTokenizer {
  /**
   * @param {string} vocabText vocab.txt: one token a line, the line number its id
   * @param {object} config tokenizer_config.json: do_lower_case, strip_accents,
   *     model_max_length
   */
  constructor(vocabText, config = {}) {
    const tokens = vocabText.split("\n");
    if (tokens.length > 0 && tokens[tokens.length - 1] === "") tokens.pop();
    this.vocab = new Map();
    tokens.forEach((t, i) => {
      const token = t.endsWith("\r") ? t.slice(0, -1) : t;
      if (!this.vocab.has(token)) this.vocab.set(token, i);
    });
    for (const s of SPECIAL) {
      if (!this.vocab.has(s)) throw new Error(`the vocabulary has no ${s}`);
    }
    this.lowercase = config.do_lower_case ?? true;
    this.stripAccents = config.strip_accents ?? this.lowercase;
    this.maxLength = config.model_max_length ?? 512;
    this.unk = this.vocab.get("[UNK]");
    this.cls = this.vocab.get("[CLS]");
    this.sep = this.vocab.get("[SEP]");
    this.pad = this.vocab.get("[PAD]");
  }

  /** [CLS] pieces [SEP], cut to maxLength ids (default the model's) keeping [SEP]. */
  encode(text, maxLength = this.maxLength) {
    const ids = [this.cls];
    // Special tokens written in the text keep their ids, as Hugging Face's added tokens do.
    let start = 0;
    for (let pos = text.indexOf("["); pos >= 0; pos = text.indexOf("[", pos)) {
      const special = SPECIAL.find((s) => text.startsWith(s, pos));
      if (special === undefined) {
        ++pos;
        continue;
      }
      this.encodeSegment(text.slice(start, pos), ids);
      ids.push(this.vocab.get(special));
      start = pos = pos + special.length;
    }
    this.encodeSegment(text.slice(start), ids);
    if (maxLength > 0 && ids.length + 1 > maxLength) ids.length = maxLength - 1;
    ids.push(this.sep);
    return ids;
  }

  encodeSegment(segment, ids) {
    for (const word of this.words(this.normalize(segment))) this.wordpiece(word, ids);
  }

  // Clean (drop controls, map whitespace to ' '), space out CJK ideographs, lowercase one code
  // point at a time (İ becomes "i̇" as in Python; no context rules such as Greek final sigma),
  // then NFD and drop nonspacing marks.
  normalize(text) {
    let out = "";
    for (const ch of text) {
      const cp = ch.codePointAt(0);
      if (cp === 0 || cp === 0xfffd || (CONTROL.test(ch) && !WHITESPACE.test(ch))) continue;
      if (WHITESPACE.test(ch)) {
        out += " ";
      } else if (isCjkIdeograph(cp)) {
        out += " " + ch + " ";
      } else {
        out += this.lowercase ? ch.toLowerCase() : ch;
      }
    }
    if (!this.stripAccents) return out;
    let stripped = "";
    for (const ch of out.normalize("NFD")) {
      if (!NONSPACING_MARK.test(ch)) stripped += ch;
    }
    return stripped;
  }

  // Whitespace splits words; each punctuation character is a word of its own.
  * words(text) {
    let word = "";
    for (const ch of text) {
      if (ch === " ") {
        if (word) yield word;
        word = "";
      } else if (isPunctuation(ch.codePointAt(0), ch)) {
        if (word) yield word;
        word = "";
        yield ch;
      } else {
        word += ch;
      }
    }
    if (word) yield word;
  }

  // Greedy longest-match-first; one piece that matches nothing makes the whole word [UNK].
  wordpiece(word, ids) {
    const chars = Array.from(word);
    if (chars.length > MAX_CHARS_PER_WORD) {
      ids.push(this.unk);
      return;
    }
    const mark = ids.length;
    for (let start = 0; start < chars.length;) {
      let end = chars.length;
      let id;
      for (; end > start; --end) {
        const piece = (start > 0 ? "##" : "") + chars.slice(start, end).join("");
        id = this.vocab.get(piece);
        if (id !== undefined) break;
      }
      if (end === start) {
        ids.length = mark;
        ids.push(this.unk);
        return;
      }
      ids.push(id);
      start = end;
    }
  }
}
