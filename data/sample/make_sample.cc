// Generates data/sample/{train,dev}.tsv: acceptable English sentences (label 1), each paired with a
// minimal-pair corruption (label 0). Written for this project from the word lists below; no
// sentence comes from CoLA. Not part of the build: see README.md for how to run it.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using Words = std::vector<std::string>;

struct Verb {
  std::string base, s3, past, pp, ing;
  Words objects;      // singular|plural object nouns, e.g. "fence|fences"
  bool needs_object;  // dropping the object is clearly ungrammatical (not "we are hiring")
};

// One verb per entry reads better than clang-format's one field per line.
// clang-format off
const std::vector<Verb> kVerbs = {
    {"repair", "repairs", "repaired", "repaired", "repairing",
     {"fence|fences", "bicycle|bicycles", "roof|roofs", "radio|radios", "chair|chairs"}, false},
    {"paint", "paints", "painted", "painted", "painting",
     {"fence|fences", "wall|walls", "kitchen|kitchens", "boat|boats", "door|doors"}, false},
    {"read", "reads", "read", "read", "reading",
     {"letter|letters", "report|reports", "novel|novels", "newspaper|newspapers"}, false},
    {"write", "writes", "wrote", "written", "writing",
     {"letter|letters", "report|reports", "poem|poems", "song|songs"}, false},
    {"cook", "cooks", "cooked", "cooked", "cooking",
     {"meal|meals", "pie|pies", "omelette|omelettes", "stew|stews"}, false},
    {"eat", "eats", "ate", "eaten", "eating",
     {"apple|apples", "sandwich|sandwiches", "pear|pears", "biscuit|biscuits"}, false},
    {"clean", "cleans", "cleaned", "cleaned", "cleaning",
     {"kitchen|kitchens", "window|windows", "car|cars", "bathroom|bathrooms"}, false},
    {"build", "builds", "built", "built", "building",
     {"shed|sheds", "wall|walls", "boat|boats", "bridge|bridges", "cabin|cabins"}, false},
    {"sell", "sells", "sold", "sold", "selling",
     {"car|cars", "house|houses", "bicycle|bicycles", "painting|paintings"}, false},
    {"wash", "washes", "washed", "washed", "washing",
     {"car|cars", "dish|dishes", "window|windows", "dog|dogs", "shirt|shirts"}, false},
    {"watch", "watches", "watched", "watched", "watching",
     {"film|films", "match|matches", "bird|birds", "boat|boats"}, false},
    {"describe", "describes", "described", "described", "describing",
     {"painting|paintings", "village|villages", "accident|accidents", "plan|plans"}, true},
    {"admire", "admires", "admired", "admired", "admiring",
     {"painting|paintings", "castle|castles", "garden|gardens", "statue|statues"}, true},
    {"carry", "carries", "carried", "carried", "carrying",
     {"box|boxes", "suitcase|suitcases", "bag|bags", "ladder|ladders", "basket|baskets"}, true},
    {"buy", "buys", "bought", "bought", "buying",
     {"loaf|loaves", "ticket|tickets", "lamp|lamps", "newspaper|newspapers"}, false},
    {"find", "finds", "found", "found", "finding",
     {"key|keys", "wallet|wallets", "map|maps", "glove|gloves"}, true},
    {"mention", "mentions", "mentioned", "mentioned", "mentioning",
     {"plan|plans", "accident|accidents", "problem|problems", "name|names"}, true},
    {"examine", "examines", "examined", "examined", "examining",
     {"report|reports", "map|maps", "engine|engines", "contract|contracts"}, false},
    {"borrow", "borrows", "borrowed", "borrowed", "borrowing",
     {"car|cars", "bicycle|bicycles", "book|books", "ladder|ladders", "umbrella|umbrellas"}, false},
    {"greet", "greets", "greeted", "greeted", "greeting",
     {"guest|guests", "neighbour|neighbours", "visitor|visitors", "customer|customers"}, true},
    {"praise", "praises", "praised", "praised", "praising",
     {"student|students", "cook|cooks", "singer|singers", "painting|paintings"}, true},
    {"hire", "hires", "hired", "hired", "hiring",
     {"gardener|gardeners", "plumber|plumbers", "driver|drivers", "cook|cooks"}, false},
    {"put", "puts", "put", "put", "putting",
     {"book|books", "cup|cups", "key|keys", "box|boxes", "lamp|lamps", "plate|plates"}, true},
};
// clang-format on

const Words kPeople = {"farmer|farmers",     "teacher|teachers",   "neighbour|neighbours",
                       "baker|bakers",       "nurse|nurses",       "manager|managers",
                       "student|students",   "pilot|pilots",       "journalist|journalists",
                       "mechanic|mechanics", "gardener|gardeners", "captain|captains",
                       "musician|musicians", "doctor|doctors",     "painter|painters",
                       "cousin|cousins",     "lawyer|lawyers",     "engineer|engineers",
                       "child|children",     "artist|artists",     "librarian|librarians"};
const Words kNames = {"Maria", "Daniel", "Aisha", "Tom",   "Priya", "Lukas",
                      "Elena", "Omar",   "Grace", "Kenji", "Sofia", "Ben"};
const Words kAdjectives = {"old", "young", "new", "tired", "quiet", "clever", "patient", "busy"};
const Words kSubjectDetSg = {"the", "my", "our", "her", "his", "that", "their"};
const Words kSubjectDetPl = {"the", "my", "our", "her", "his", "those", "their", "some", "two"};
const Words kObjectDetSg = {"the", "my", "our", "her", "his", "this", "that", "their"};
const Words kObjectDetPl = {"the", "my", "our", "her", "his", "these", "those", "their", "some"};
const Words kPlaces = {"on the shelf",     "in the drawer",   "under the bed",  "on the table",
                       "next to the door", "in the cupboard", "behind the sofa"};
const Words kManner = {"carefully", "quickly", "slowly", "quietly", "happily", "patiently"};
const Words kPresentTime = {"every morning", "on Sundays", "at weekends", "twice a week"};
const Words kPastTime = {"yesterday", "last week", "last night", "on Monday", "two days ago"};
const Words kPerfectTime = {"recently", "this week", "twice", "before"};
const Words kFutureTime = {"tomorrow", "next week", "soon"};
const Words kModals = {"can", "will", "should", "must", "might", "could"};

std::mt19937_64 rng(20240601);

// Uniform in [0, n) by rejection, so the output does not depend on the standard library.
size_t below(size_t n) {
  const uint64_t threshold = (0 - uint64_t{n}) % n;
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return static_cast<size_t>(r % n);
  }
}
const std::string& pick(const Words& words) { return words[below(words.size())]; }
bool coin(int percent) { return below(100) < static_cast<size_t>(percent); }
std::string form(const std::string& pair, bool plural) {
  const size_t bar = pair.find('|');
  return plural ? pair.substr(bar + 1) : pair.substr(0, bar);
}

// A clause as slots, so a corruption can change one slot and leave the rest alone.
struct Clause {
  std::string front_aux;  // "did"/"does"/"do" in a question
  std::string subj_det, subj_rest;
  bool subj_plural = false;
  std::string aux;  // "has", "can", "is", "does not", ...
  std::string verb;
  std::string obj_det, obj_noun;
  std::string place;  // "on the shelf" after "put"
  std::string adverb;
};

std::string render(const Clause& c) {
  std::string out;
  for (const std::string* part : {&c.front_aux, &c.subj_det, &c.subj_rest, &c.aux, &c.verb,
                                  &c.obj_det, &c.obj_noun, &c.place, &c.adverb}) {
    if (part->empty()) continue;
    if (!out.empty()) out += ' ';
    out += *part;
  }
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out + (c.front_aux.empty() ? "." : "?");
}

void choose_subject(Clause& c) {
  c.subj_plural = coin(45);
  if (coin(20)) {
    c.subj_rest = pick(kNames);
    if (!c.subj_plural) return;
    std::string other = pick(kNames);
    while (other == c.subj_rest) other = pick(kNames);
    c.subj_rest += " and " + other;
    return;
  }
  c.subj_det = pick(c.subj_plural ? kSubjectDetPl : kSubjectDetSg);
  c.subj_rest = (coin(40) ? pick(kAdjectives) + " " : "") + form(pick(kPeople), c.subj_plural);
}

enum class Tense { present, past, perfect, modal, progressive, negated, question };

// Fills the verb group and adverb for a tense; the verb's forms stay available for corruptions.
void choose_verb_group(Clause& c, const Verb& v, Tense tense) {
  const bool pl = c.subj_plural;
  const std::string& manner = pick(kManner);
  switch (tense) {
    case Tense::present:
      c.verb = pl ? v.base : v.s3, c.adverb = coin(50) ? pick(kPresentTime) : manner;
      break;
    case Tense::past:
      c.verb = v.past, c.adverb = coin(60) ? pick(kPastTime) : manner;
      break;
    case Tense::perfect:
      c.aux = pl ? "have" : "has", c.verb = v.pp, c.adverb = coin(50) ? pick(kPerfectTime) : "";
      break;
    case Tense::modal:
      c.aux = pick(kModals), c.verb = v.base;
      c.adverb = (c.aux == "will" || c.aux == "might") && coin(60) ? pick(kFutureTime) : manner;
      break;
    case Tense::progressive:
      c.aux = coin(50) ? (pl ? "are" : "is") : (pl ? "were" : "was"), c.verb = v.ing;
      c.adverb = c.aux == "is" || c.aux == "are" ? "right now" : manner;
      break;
    case Tense::negated:
      c.aux = coin(50) ? (pl ? "do not" : "does not") : "did not", c.verb = v.base;
      c.adverb = c.aux == "did not" ? pick(kPastTime) : (coin(50) ? pick(kPresentTime) : "");
      break;
    case Tense::question:
      c.front_aux = coin(50) ? (pl ? "do" : "does") : "did", c.verb = v.base;
      c.adverb = c.front_aux == "did" ? pick(kPastTime) : pick(kPresentTime);
      break;
  }
}

Clause make_clause(const Verb& v, Tense tense) {
  Clause c;
  choose_subject(c);
  choose_verb_group(c, v, tense);
  const bool obj_plural = coin(40);
  c.obj_det = pick(obj_plural ? kObjectDetPl : kObjectDetSg);
  c.obj_noun = form(pick(v.objects), obj_plural);
  if (v.base == "put") c.place = pick(kPlaces);
  return c;
}

// The four kinds of corruption. Each returns false when it does not apply to the clause.
bool break_agreement(Clause& c, const Verb& v, Tense tense) {
  const bool pl = c.subj_plural;
  if (tense == Tense::present) return c.verb = pl ? v.s3 : v.base, true;
  if (c.aux == "has" || c.aux == "have") return c.aux = pl ? "has" : "have", true;
  if (c.aux == "is" || c.aux == "are") return c.aux = pl ? "is" : "are", true;
  if (c.aux == "was" || c.aux == "were") return c.aux = pl ? "was" : "were", true;
  if (c.aux == "does not" || c.aux == "do not") return c.aux = pl ? "does not" : "do not", true;
  if (c.front_aux == "does" || c.front_aux == "do") return c.front_aux = pl ? "does" : "do", true;
  // Otherwise the object's determiner and noun: "this fences", "those fence".
  for (const std::string& pair : v.objects) {
    const bool sg_det = c.obj_det == "this" || c.obj_det == "that";
    const bool pl_det = c.obj_det == "these" || c.obj_det == "those";
    if ((sg_det && form(pair, false) == c.obj_noun) || (pl_det && form(pair, true) == c.obj_noun)) {
      return c.obj_noun = form(pair, sg_det), true;
    }
  }
  return false;
}

bool break_word_order(Clause& c) {
  std::vector<int> options = {0};                                  // 0: "the fence" -> "fence the"
  if (c.aux.empty() && c.front_aux.empty()) options.push_back(1);  // object before the verb
  if (!c.aux.empty() && c.aux.find(' ') == std::string::npos) options.push_back(2);  // verb, aux
  if (!c.subj_det.empty() && c.front_aux.empty()) options.push_back(3);              // "farmer the"
  switch (options[below(options.size())]) {
    case 0:
      std::swap(c.obj_det, c.obj_noun);
      break;
    case 1:
      c.subj_rest += " " + c.obj_det + " " + c.obj_noun, c.obj_det.clear(), c.obj_noun.clear();
      break;
    case 2:
      std::swap(c.aux, c.verb);
      break;
    default:
      std::swap(c.subj_det, c.subj_rest);
      break;
  }
  return true;
}

bool drop_argument(Clause& c, const Verb& v) {
  if (!v.needs_object) return false;
  if (!c.place.empty() && coin(50)) return c.place.clear(), true;
  c.obj_det.clear(), c.obj_noun.clear();
  return true;
}

bool break_auxiliary(Clause& c, const Verb& v, Tense tense) {
  switch (tense) {
    case Tense::present:  // "The farmer repairing"
      c.verb = v.ing;
      return true;
    case Tense::past:  // "did repaired"; "did put" would be emphatic, not wrong
      if (v.past == v.base) return false;
      c.aux = "did";
      return true;
    case Tense::perfect:  // "has write", "has putting"
      c.verb = v.base != v.pp ? v.base : v.ing;
      return true;
    case Tense::progressive:  // "is repair"
      c.verb = v.base;
      return true;
    case Tense::modal:  // "can repairs", "must to repair", "will can repair"
      switch (below(3)) {
        case 0:
          c.verb = v.s3;
          return true;
        case 1:
          c.aux += " to";
          return true;
        default:
          c.aux = c.aux == "will" ? "will can" : "will " + c.aux;
          return true;
      }
    case Tense::negated:
    case Tense::question: {
      const bool did = c.aux == "did not" || c.front_aux == "did";
      if (did && v.past == v.base) return false;
      c.verb = did ? v.past : v.s3;  // "did not repaired"
      return true;
    }
  }
  return false;
}

// One corruption of kind `kind` or the next kind that applies; `kind` becomes the one used.
std::string corrupt(const Clause& good, const Verb& v, Tense tense, int& kind) {
  for (int k = 0; k < 4; ++k) {
    Clause bad = good;
    const int which = (kind + k) % 4;
    const bool ok = which == 0   ? break_agreement(bad, v, tense)
                    : which == 1 ? break_word_order(bad)
                    : which == 2 ? drop_argument(bad, v)
                                 : break_auxiliary(bad, v, tense);
    if (ok && render(bad) != render(good)) return kind = which, render(bad);
  }
  return "";
}

struct Row {
  int label;
  std::string sentence;
};

void write_tsv(const char* path, std::vector<Row> rows) {
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[below(i)]);
  std::ofstream out(path, std::ios::binary);
  for (const auto& r : rows) {
    out << "cola-sample\t" << r.label << '\t' << (r.label == 0 ? "*" : "") << '\t' << r.sentence
        << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_sample OUT_DIR\n");
    return 2;
  }
  constexpr int kTrainPairs = 4000, kDevPairs = 250;
  std::set<std::string> seen;
  std::vector<Row> train, dev;
  int kinds[4] = {};
  for (int pair = 0; pair < kTrainPairs + kDevPairs;) {
    const Verb& v = kVerbs[below(kVerbs.size())];
    const auto tense = static_cast<Tense>(below(7));
    const Clause good = make_clause(v, tense);
    int kind = static_cast<int>(std::min_element(kinds, kinds + 4) - kinds);  // the rarest first
    const std::string ok = render(good), bad = corrupt(good, v, tense, kind);
    if (bad.empty() || seen.count(ok) || seen.count(bad)) continue;
    ++kinds[kind];
    seen.insert(ok), seen.insert(bad);
    auto& split = pair < kTrainPairs ? train : dev;
    split.push_back({1, ok}), split.push_back({0, bad});
    ++pair;
  }
  const std::string dir = argv[1];
  write_tsv((dir + "/train.tsv").c_str(), train);
  write_tsv((dir + "/dev.tsv").c_str(), dev);
  std::fprintf(stderr, "pairs: %d agreement, %d word order, %d missing argument, %d auxiliary\n",
               kinds[0], kinds[1], kinds[2], kinds[3]);
  return 0;
}
