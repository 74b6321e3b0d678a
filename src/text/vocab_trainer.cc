#include "text/vocab_trainer.h"

#include <algorithm>
#include <map>
#include <queue>

#include "core/file.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "text/unicode.h"
#include "text/vocab.h"

namespace cola::text {
namespace {

using Pair = uint64_t;  // (left id << 32) | right id: orders like tokenizers' (u32, u32) tuple
Pair make_pair(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }
uint32_t left(Pair p) { return static_cast<uint32_t>(p >> 32); }
uint32_t right(Pair p) { return static_cast<uint32_t>(p); }

struct TokenSet {
  std::vector<std::string> tokens;                // id -> token
  std::unordered_map<std::string, uint32_t> ids;  // token -> id

  uint32_t add(const std::string& token) {
    const auto [it, inserted] = ids.try_emplace(token, static_cast<uint32_t>(tokens.size()));
    if (inserted) tokens.push_back(token);
    return it->second;
  }
};

std::vector<char32_t> code_points(std::string_view word) {
  std::vector<char32_t> cps;
  for (size_t pos = 0, n = 0; pos < word.size(); pos += n) {
    char32_t cp = 0;
    n = decode_utf8(word, pos, cp);
    cps.push_back(cp);
  }
  return cps;
}

std::string utf8(char32_t cp) {
  std::string s;
  append_utf8(s, cp);
  return s;
}

// The initial alphabet: every character, weighted by word counts; over the limit, the rarest go.
// tokenizers breaks count ties arbitrarily (an unstable sort); we drop the larger code point first.
void add_alphabet(const std::vector<std::pair<std::string, uint64_t>>& words, size_t limit,
                  TokenSet& set) {
  std::map<char32_t, uint64_t> counts;
  for (const auto& [word, count] : words) {
    for (const char32_t cp : code_points(word)) counts[cp] += count;
  }
  std::vector<std::pair<char32_t, uint64_t>> kept(counts.begin(), counts.end());
  if (limit > 0 && kept.size() > limit) {
    std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    kept.resize(limit);
    std::sort(kept.begin(), kept.end());
  }
  for (const auto& [cp, count] : kept) set.add(utf8(cp));
}

// Each word as alphabet ids: first character bare, the rest as "##c" (added on first use).
// Characters outside the (limited) alphabet are dropped, as tokenizers does.
std::vector<std::vector<uint32_t>> split_to_alphabet(
    const std::vector<std::pair<std::string, uint64_t>>& words, TokenSet& set) {
  std::vector<std::vector<uint32_t>> symbols(words.size());
  for (size_t w = 0; w < words.size(); ++w) {
    const auto cps = code_points(words[w].first);
    for (size_t i = 0; i < cps.size(); ++i) {
      const std::string c = utf8(cps[i]);
      if (!set.ids.contains(c)) continue;
      symbols[w].push_back(i == 0 ? set.ids[c] : set.add(std::string(kContinuationPrefix) + c));
    }
  }
  return symbols;
}

// A queue entry; `positions` indexes the word lists kept beside the queue.
struct Merge {
  int64_t count;
  Pair pair;
  uint64_t seq;  // push order: a tie-break of our own for entries of the same pair
  size_t positions;
  bool operator<(const Merge& o) const {  // the top is the largest
    if (count != o.count) return count < o.count;
    if (pair != o.pair) return pair > o.pair;  // equal counts: the smaller pair first
    return seq > o.seq;
  }
};

struct Change {
  Pair pair;
  int delta;
};

// Replaces each (a, b) in `word` with `merged`, reporting pairs that disappear and appear
// (tokenizers' Word::merge).
void merge_word(std::vector<uint32_t>& word, Pair ab, uint32_t merged,
                std::vector<Change>& changes) {
  const uint32_t a = left(ab);
  const uint32_t b = right(ab);
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] != a || i + 1 >= word.size() || word[i + 1] != b) continue;
    if (i > 0) {
      changes.push_back({make_pair(word[i - 1], a), -1});
      changes.push_back({make_pair(word[i - 1], merged), 1});
    }
    word[i] = merged;
    word.erase(word.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    if (i + 1 < word.size()) {
      changes.push_back({make_pair(b, word[i + 1]), -1});
      changes.push_back({make_pair(merged, word[i + 1]), 1});
    }
  }
}

class MergeLoop {
 public:
  MergeLoop(std::vector<std::vector<uint32_t>> words, std::vector<uint64_t> counts)
      : words_(std::move(words)), counts_(std::move(counts)) {
    std::map<Pair, std::vector<uint32_t>> where;
    for (size_t w = 0; w < words_.size(); ++w) {
      for (size_t i = 0; i + 1 < words_[w].size(); ++i) {
        const Pair p = make_pair(words_[w][i], words_[w][i + 1]);
        pair_counts_[p] += static_cast<int64_t>(counts_[w]);
        auto& pos = where[p];
        if (pos.empty() || pos.back() != w) pos.push_back(static_cast<uint32_t>(w));
      }
    }
    enqueue(where);
  }

  void run(const TrainerOptions& options, TokenSet& set) {
    std::vector<Change> changes;
    std::map<Pair, std::vector<uint32_t>> where;
    while (static_cast<int64_t>(set.tokens.size()) < options.vocab_size && !queue_.empty()) {
      Merge top = queue_.top();
      queue_.pop();
      const int64_t current = pair_counts_[top.pair];
      if (top.count != current) {  // stale: requeue with the true count
        top.count = current;
        queue_.push(top);
        continue;
      }
      if (top.count < 1 || static_cast<int64_t>(options.min_frequency) > top.count) break;
      std::string_view suffix = set.tokens[right(top.pair)];
      if (suffix.starts_with(kContinuationPrefix)) suffix.remove_prefix(kContinuationPrefix.size());
      const uint32_t merged = set.add(set.tokens[left(top.pair)] + std::string(suffix));
      for (const uint32_t w : positions_[top.positions]) {
        changes.clear();
        merge_word(words_[w], top.pair, merged, changes);
        for (const Change& c : changes) {
          pair_counts_[c.pair] += c.delta * static_cast<int64_t>(counts_[w]);
          if (c.delta > 0) where[c.pair].push_back(w);
        }
      }
      enqueue(where);
      where.clear();
    }
  }

 private:
  void enqueue(std::map<Pair, std::vector<uint32_t>>& where) {
    for (auto& [pair, pos] : where) {
      const int64_t count = pair_counts_[pair];
      if (count <= 0) continue;
      pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
      positions_.push_back(std::move(pos));
      queue_.push({count, pair, seq_++, positions_.size() - 1});
    }
  }

  std::vector<std::vector<uint32_t>> words_;
  std::vector<uint64_t> counts_;
  std::unordered_map<Pair, int64_t> pair_counts_;
  std::vector<std::vector<uint32_t>> positions_;
  std::priority_queue<Merge> queue_;
  uint64_t seq_ = 0;
};

}  // namespace

void count_words(std::span<const std::string> sentences, const TrainerOptions& options,
                 WordCounts& counts) {
  const Normalizer normalizer(NormalizerOptions{options.lowercase, options.strip_accents});
  std::string normalized;
  std::string scratch;
  for (const std::string& sentence : sentences) {
    normalizer.normalize(sentence, normalized);
    split_words(normalized, normalizer.ascii_table(), scratch,
                [&](std::string_view word, size_t) { ++counts[std::string(word)]; });
  }
}

std::vector<std::string> train_wordpiece(const WordCounts& counts, const TrainerOptions& options) {
  // Sorted words make the "##" ids and the merge order independent of hash-map iteration order.
  std::vector<std::pair<std::string, uint64_t>> words(counts.begin(), counts.end());
  std::sort(words.begin(), words.end());
  TokenSet set;
  for (const std::string_view special : kSpecialTokens) set.add(std::string(special));
  add_alphabet(words, options.limit_alphabet, set);
  auto symbols = split_to_alphabet(words, set);
  std::vector<uint64_t> word_counts;
  word_counts.reserve(words.size());
  for (const auto& [word, count] : words) word_counts.push_back(count);
  MergeLoop(std::move(symbols), std::move(word_counts)).run(options, set);
  return std::move(set.tokens);
}

void write_vocab(const std::filesystem::path& path, std::span<const std::string> tokens) {
  std::string content;
  for (const std::string& token : tokens) (content += token) += '\n';
  write_file_atomic(path, content);
}

}  // namespace cola::text
