// Opcode by opcode, against pickles that CPython 3.11 wrote (the comment above each literal gives
// the Python expression, `pickle.dumps(x, protocol)`), plus hand-written ones for what no
// pickler emits.
#include "pickle/unpickler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pickle_test_util.h"

namespace cola::pickle {
namespace {

using namespace std::string_literals;
using test::load_bytes;
using test::load_error;
using ::testing::HasSubstr;

TEST(Unpickler, Protocol2Scalars) {
  // (None, True, False, 255, 65535, -2, 2**40, -2**70, 1.5, 'héllo'), 2
  const auto bytes =
      "\x80\x02(N\x88\x89K\xffM\xff\xffJ\xfe\xff\xff\xff\x8a\x06\x00\x00\x00\x00\x00\x01\x8a\x09"
      "\x00\x00\x00\x00\x00\x00\x00\x00\xc0G\x3f\xf8\x00\x00\x00\x00\x00\x00X\x06\x00\x00\x00h"
      "\xc3\xa9lloq\x00tq\x01."s;
  const Document doc = load_bytes(bytes);
  const Value& t = *doc.root();
  ASSERT_TRUE(t.is_tuple());
  ASSERT_EQ(t.items.size(), 10U);
  EXPECT_TRUE(t.items[0]->is_none());
  EXPECT_EQ(t.items[1]->as_bool(), true);
  EXPECT_EQ(t.items[2]->as_bool(), false);
  EXPECT_EQ(t.items[3]->as_int(), 255);
  EXPECT_EQ(t.items[4]->as_int(), 65535);
  EXPECT_EQ(t.items[5]->as_int(), -2);
  EXPECT_EQ(t.items[6]->as_int(), int64_t{1} << 40);
  EXPECT_EQ(t.items[7]->kind, Kind::kBigInt);  // -2**70 needs 9 bytes
  EXPECT_EQ(t.items[7]->text, "\x00\x00\x00\x00\x00\x00\x00\x00\xc0"s);
  EXPECT_EQ(describe(*t.items[7]), "-1180591620717411303424");
  EXPECT_EQ(t.items[8]->as_float(), 1.5);  // BINFLOAT is big-endian
  EXPECT_EQ(t.items[9]->as_string_view(), "h\xc3\xa9llo");
  EXPECT_EQ(doc.end(), bytes.size());
}

TEST(Unpickler, Protocol3Bytes) {
  // (b'\x00\xff', b'x' * 300), 3: SHORT_BINBYTES and BINBYTES
  const auto bytes =
      "\x80\x03"
      "C\x02\x00\xffq\x00"
      "B,\x01\x00\x00"s +
      std::string(300, 'x') + "q\x01\x86q\x02."s;
  const Document doc = load_bytes(bytes);
  ASSERT_EQ(doc.root()->items.size(), 2U);
  EXPECT_EQ(doc.root()->items[0]->as_bytes_view(), "\x00\xff"s);
  EXPECT_EQ(doc.root()->items[1]->as_bytes_view(), std::string(300, 'x'));
}

TEST(Unpickler, Protocol4SetsFramesStackGlobalMemoize) {
  // ({1, 2}, frozenset({3}), 'ab', collections.OrderedDict), 4
  const auto bytes =
      "\x80\x04\x95"
      "4\x00\x00\x00\x00\x00\x00\x00(\x8f\x94(K\x01K\x02\x90(K\x03\x91\x94\x8c\x02"
      "ab\x94\x8c\x0b"
      "collections\x94\x8c\x0bOrderedDict\x94\x93\x94t\x94."s;
  const Document doc = load_bytes(bytes);
  const Value& t = *doc.root();
  ASSERT_EQ(t.items.size(), 4U);
  EXPECT_EQ(t.items[0]->kind, Kind::kSet);
  EXPECT_EQ(describe(*t.items[0]), "{1, 2}");
  EXPECT_EQ(t.items[1]->kind, Kind::kFrozenSet);
  EXPECT_EQ(describe(*t.items[1]), "frozenset({3})");
  EXPECT_EQ(t.items[2]->as_string_view(), "ab");
  EXPECT_TRUE(t.items[3]->is_global());
  EXPECT_EQ(t.items[3]->qualified_name(), "collections.OrderedDict");
}

TEST(Unpickler, Protocol5ByteArrayAndEightByteLengths) {
  // bytearray(b'ab'), 5
  EXPECT_EQ(load_bytes("\x80\x05\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x96\x02\x00\x00\x00\x00\x00"
                       "\x00\x00"
                       "ab\x94."s)
                .root()
                ->as_bytes_view(),
            "ab");
  // No pickler writes these for short data: BINUNICODE8 'é', BINBYTES8 b'z'.
  const Document doc = load_bytes(
      "\x8d\x02\x00\x00\x00\x00\x00\x00\x00\xc3\xa9\x8e\x01\x00\x00\x00\x00\x00\x00\x00z\x86."s);
  EXPECT_EQ(doc.root()->items[0]->as_string_view(), "\xc3\xa9");
  EXPECT_EQ(doc.root()->items[1]->as_bytes_view(), "z");
}

TEST(Unpickler, Protocol0Text) {
  // [1, 'aé', 2.5, None, True, (1, 2), {'k': 'v'}, 10**20, -7], 0
  const auto bytes =
      "(lp0\nI1\naVa\xe9\np1\naF2.5\naNaI01\na(I1\nI2\ntp2\na(dp3\nVk\np4\nVv\np5\nsaL1000000000"
      "00000000000L\naI-7\na."s;
  const Document doc = load_bytes(bytes);
  EXPECT_EQ(describe(*doc.root()),
            "[1, 'a\xc3\xa9', 2.5, None, True, (1, 2), {'k': 'v'}, 100000000000000000000, -7]");
  EXPECT_EQ(doc.root()->items[7]->kind, Kind::kBigInt);
}

TEST(Unpickler, Protocol0MemoFloatsAndLongs) {
  // l = []; l.append(l); l, 0 -- GET of the PUT list
  const Document doc = load_bytes("(lp0\ng0\na."s);
  EXPECT_EQ(doc.root()->items[0], doc.root());
  EXPECT_EQ(describe(*load_bytes("(Finf\nF-1e-05\nI00\nL-12L\nt."s).root()),
            "(inf, -1e-05, False, -12)");
  EXPECT_THAT(load_error("F1.5x\n."s), HasSubstr("byte 0 (FLOAT): '1.5x' is not a float"));
  EXPECT_THAT(load_error("I0x10\n."s), HasSubstr("byte 0 (INT): '0x10' is not a decimal integer"));
  EXPECT_THAT(load_error("I" + std::string(4301, '9') + "\n."),
              HasSubstr("an integer of 4301 digits is over Python's limit of 4300"));
  EXPECT_THAT(load_error("g7\n."s), HasSubstr("byte 0 (GET): memo entry 7 was never stored"));
  // LONG4: a 4-byte length, then two's complement bytes (32767, then -2**71 in 10 bytes).
  EXPECT_EQ(load_bytes("\x8b\x02\x00\x00\x00\xff\x7f."s).root()->as_int(), 32767);
  EXPECT_EQ(
      describe(
          *load_bytes("\x8b\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\xff."s).root()),
      "-2361183241434822606848");
}

TEST(Unpickler, Protocol0Python2Strings) {
  // Python 2's STRING: an escaped, quoted literal. Valid UTF-8 stays a str, anything else bytes.
  const Document doc = load_bytes("(S'a\\'b\\n\\x41\\101'\nS\"\\xff\"\nVx\\u00e9\\\\u1\nt."s);
  EXPECT_EQ(doc.root()->items[0]->as_string_view(), "a'b\nAA");
  EXPECT_EQ(doc.root()->items[1]->as_bytes_view(), "\xff");
  // raw-unicode-escape: \u00e9 is é; an even run of backslashes escapes nothing.
  EXPECT_EQ(doc.root()->items[2]->as_string_view(), "x\xc3\xa9\\\\u1");
  EXPECT_THAT(load_error("S'abc\n."s),
              HasSubstr("byte 0 (STRING): the STRING argument must be quoted"));
  EXPECT_THAT(load_error("S'\\x4'\n."s), HasSubstr("invalid \\x escape"));
  EXPECT_THAT(load_error("V\\ud800\n."s), HasSubstr("byte 0 (UNICODE): escape \\ud800"));
}

TEST(Unpickler, Protocol1BinaryStringsOfPython2) {
  // SHORT_BINSTRING 'ok', BINSTRING b'\xfe' (not UTF-8, so bytes)
  const Document doc = load_bytes("(U\x02okT\x01\x00\x00\x00\xfet."s);
  EXPECT_EQ(doc.root()->items[0]->as_string_view(), "ok");
  EXPECT_EQ(doc.root()->items[1]->as_bytes_view(), "\xfe");
  EXPECT_THAT(load_error("T\xff\xff\xff\xff."s), HasSubstr("byte 0 (BINSTRING): negative length"));
}

TEST(Unpickler, RecursiveTupleWithPopMark) {
  // l = []; t = (l,); l.append(t); pickle.dumps(t, 1) ends with POP_MARK then BINGET
  const Document doc = load_bytes(
      "(]q\x00(h\x00tq\x01"
      "a1h\x01."s);
  const Value& t = *doc.root();
  ASSERT_TRUE(t.is_tuple());
  const Value& l = *t.items[0];
  ASSERT_EQ(l.items.size(), 1U);
  EXPECT_EQ(l.items[0], &t);
  EXPECT_EQ(describe(t), "([(...)],)");
}

TEST(Unpickler, MemoSharesOneValue) {
  // x = []; [x, x], 2
  const Document doc = load_bytes(
      "\x80\x02]q\x00(]q\x01h\x01"
      "e."s);
  ASSERT_EQ(doc.root()->items.size(), 2U);
  EXPECT_EQ(doc.root()->items[0], doc.root()->items[1]);
}

TEST(Unpickler, SelfReferentialListLoadsAndDescribes) {
  // s = []; s.append(s); s, 2
  const Document doc = load_bytes(
      "\x80\x02]q\x00h\x00"
      "a."s);
  EXPECT_EQ(doc.root()->items[0], doc.root());
  EXPECT_EQ(describe(*doc.root()), "[[...]]");
  // s.extend([s] * 1500), 2: a list holding itself is no deeper for it (max_depth is 1,000).
  std::string many = "\x80\x02]q\x00("s;
  for (int i = 0; i < 1500; ++i) many += "h\x00"s;
  many += "e."s;
  EXPECT_EQ(load_bytes(many).root()->items.size(), 1500U);
}

TEST(Unpickler, DupPopAndPopOfAMark) {
  // DUP, then POP of a value; then POP with nothing above the MARK drops the MARK (pickle.py).
  const Document doc = load_bytes(
      "K\x07"
      "2"
      "0"
      "("
      "0"
      "\x85."s);
  EXPECT_EQ(describe(*doc.root()), "(7,)");
}

TEST(Unpickler, SparseMemoIndices) {
  // LONG_BINPUT 4294967295 then LONG_BINGET of it: kept in a map, nothing of that size allocated.
  const Document doc = load_bytes(
      "N"
      "r\xff\xff\xff\xff"
      "0"
      "j\xff\xff\xff\xff"
      "."s);
  EXPECT_TRUE(doc.root()->is_none());
  EXPECT_THAT(load_error("Np-1\n."s), HasSubstr("byte 1 (PUT): negative or huge PUT index"));
  // Puts that skip ahead 5,000 at a time go to the map too (the dense part stays small).
  std::string skips = "N"s;
  for (uint32_t i = 0; i < 100; ++i) {
    const uint32_t index = i * 5000;
    skips += 'r';
    skips.append(reinterpret_cast<const char*>(&index), 4);
  }
  skips += "0j\x50\xc3\x00\x00."s;  // LONG_BINGET 50,000
  EXPECT_TRUE(load_bytes(skips).root()->is_none());
}

TEST(Unpickler, ConsecutivePicklesUseEnd) {
  // pickle.dumps(1001, 2) + pickle.dumps({'a': 'b'}, 2)
  const auto bytes =
      "\x80\x02M\xe9\x03.\x80\x02}q\x00X\x01\x00\x00\x00"
      "aq\x01X\x01\x00\x00\x00"
      "bq\x02s."s;
  Policy policy;
  LoadOptions options;
  options.source = "two.pkl";
  const Document first = load(bytes, policy, options);
  EXPECT_EQ(first.root()->as_int(), 1001);
  EXPECT_EQ(first.end(), 6U);
  options.offset = first.end();
  const Document second = load(bytes, policy, options);
  EXPECT_EQ(describe(*second.root()), "{'a': 'b'}");
  EXPECT_EQ(second.end(), bytes.size());
  options.offset = 100;
  EXPECT_EQ(cola::test::error_message<Error>([&] { load(bytes, policy, options); }),
            "two.pkl: start offset 100 is past the end of the input (29 bytes)");
}

TEST(Unpickler, EveryTruncationIsAnError) {
  // OrderedDict([('a', 1), ('b', 2)]) then (None, True, ..., 'héllo') from Protocol2Scalars,
  // glued into one pickle: every strict prefix lacks STOP and must fail cleanly.
  const auto bytes =
      "\x80\x02(ccollections\nOrderedDict\nq\x00)Rq\x01(X\x01\x00\x00\x00"
      "aq\x02K\x01X\x01\x00"
      "\x00\x00"
      "bq\x03K\x02uN\x88\x89K\xffM\xff\xffJ\xfe\xff\xff\xff\x8a\x06\x00\x00\x00\x00\x00"
      "\x01\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\xc0G\x3f\xf8\x00\x00\x00\x00\x00\x00X\x06\x00"
      "\x00\x00h\xc3\xa9llo\x8c\x01z\x95\x01\x00\x00\x00\x00\x00\x00\x00\x8f(K\x01\x90tq\x04."s;
  ASSERT_EQ(load_bytes(bytes).root()->items.size(), 13U);
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string message = load_error(std::string_view(bytes).substr(0, n));
    EXPECT_THAT(message, HasSubstr("test.pkl: byte ")) << "prefix of " << n << " bytes";
    EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("underflow")))
        << "prefix of " << n << " bytes";
  }
  EXPECT_EQ(load_error(""), "test.pkl: byte 0: the input ends before STOP: truncated");
}

TEST(Unpickler, LengthsAreCheckedBeforeAllocating) {
  EXPECT_EQ(load_error("X\xf0\xff\xff\xff"
                       "abc."s),
            "test.pkl: byte 0 (BINUNICODE): a string of 4294967280 bytes runs past the end of "
            "the input (4 bytes left): truncated, corrupt or hostile");
  EXPECT_THAT(load_error("\x8e\xff\xff\xff\xff\xff\xff\xff\xff."s),
              HasSubstr("byte 0 (BINBYTES8): a bytes of 18446744073709551615 bytes runs past"));
  EXPECT_THAT(load_error("\x8b\x00\x00\x00\x80."s), HasSubstr("byte 0 (LONG4): negative length"));
  EXPECT_THAT(load_error("\x95\x00\x00\x00\x00\x01\x00\x00\x00N."s),
              HasSubstr("byte 0 (FRAME): a frame of 4294967296 bytes runs past the end"));
  EXPECT_THAT(load_error("J\x01\x02"s),
              HasSubstr("byte 0 (BININT): the input ends inside the opcode's argument"));
  EXPECT_THAT(load_error("I12"s), HasSubstr("byte 0 (INT): the input ends inside the opcode's "
                                            "text line (no newline)"));
}

TEST(Unpickler, StackAndMarkFaults) {
  EXPECT_EQ(load_error("\x80\x02."s),
            "test.pkl: byte 2 (STOP): stack underflow: the pickle pops more than it pushed");
  EXPECT_THAT(load_error("N(."s), HasSubstr("byte 2 (STOP): stack underflow: the pickle pops "
                                            "past its last MARK"));
  EXPECT_THAT(load_error("Nt."s), HasSubstr("byte 1 (TUPLE): no MARK before this opcode"));
  EXPECT_THAT(load_error("N\x86."s), HasSubstr("byte 1 (TUPLE2): stack underflow"));
  EXPECT_THAT(load_error("(Ne."s), HasSubstr("byte 2 (APPENDS): stack underflow: nothing below"));
  EXPECT_THAT(load_error("Na."s), HasSubstr("byte 1 (APPEND): stack underflow"));
  EXPECT_THAT(load_error("\x80\x02h\x05."s),
              HasSubstr("byte 2 (BINGET): memo entry 5 was never stored"));
}

TEST(Unpickler, ContainerTypeFaults) {
  EXPECT_EQ(load_error(")K\x01"
                       "a."s),
            "test.pkl: byte 3 (APPEND): cannot append to a tuple (()): only lists and objects "
            "take items");
  EXPECT_THAT(load_error("](K\x01u."s), HasSubstr("byte 4 (SETITEMS): cannot set items of a list"));
  EXPECT_THAT(
      load_error("}(K\x01u."s),
      HasSubstr("byte 4 (SETITEMS): 1 items after the MARK: a dict needs key, value pairs"));
  EXPECT_THAT(load_error("](K\x01\x90."s), HasSubstr("cannot add items to a list"));
  EXPECT_THAT(load_error("N(K\x01\x90."s), HasSubstr("cannot add items to a None"));
}

TEST(Unpickler, UnhashableKeysAreRefused) {
  EXPECT_EQ(load_error("\x80\x02}]K\x01s."s),
            "test.pkl: byte 6 (SETITEM): a list cannot be a dict key: Python cannot hash it ([])");
  // A tuple holding a list cannot be hashed either; a tuple of ints can.
  EXPECT_THAT(load_error("}]\x85K\x01s."s), HasSubstr("a tuple cannot be a dict key"));
  EXPECT_EQ(describe(*load_bytes("}K\x01\x85K\x02s."s).root()), "{(1,): 2}");
  EXPECT_THAT(load_error("(}N"
                         "d."s),
              HasSubstr("byte 3 (DICT): a dict cannot be a dict key"));
  EXPECT_THAT(load_error("\x8f(]\x90."s), HasSubstr("a list cannot be a set member"));
  EXPECT_THAT(load_error("(\x8f\x91."s), HasSubstr("byte 2 (FROZENSET): a set cannot be a set"));
}

TEST(Unpickler, GlobalAsDictKey) {
  // PL 1.2's callbacks: {ModelCheckpoint: {...}}, the key a class.
  const Document doc =
      load_bytes("\x80\x02}(cpytorch_lightning.callbacks.model_checkpoint\nModelCheckpoint\n}u."s);
  ASSERT_EQ(doc.root()->entries.size(), 1U);
  const Value& key = *doc.root()->entries[0].first;
  EXPECT_TRUE(key.is_global());
  EXPECT_EQ(key.module, "pytorch_lightning.callbacks.model_checkpoint");
  EXPECT_EQ(key.name, "ModelCheckpoint");
}

TEST(Unpickler, NestingPastMaxDepthViaMemoAndPop) {
  // A list stays at the bottom; each round makes a new list, appends the memo's list to it,
  // memoizes the new one and pops it: the stack never grows, the nesting does.
  std::string bytes = "\x80\x02]q\x00"s;
  for (int i = 0; i < 20; ++i)
    bytes +=
        "]h\x00"
        "aq\x00"
        "0"s;
  bytes += "0h\x00."s;
  Limits limits;
  limits.max_depth = 15;
  EXPECT_THAT(load_error(bytes, nullptr, limits),
              HasSubstr("(APPEND): containers nest more than 15 levels deep (Limits::max_depth): "
                        "nesting this deep is refused"));
  limits.max_depth = 20;
  EXPECT_EQ(load_bytes(bytes, nullptr, limits).root()->depth, 20U);
  // The same through tuples (TUPLE1 of the top, 30 times).
  EXPECT_THAT(load_error("N" + std::string(30, '\x85') + ".", nullptr, limits),
              HasSubstr("byte 21 (TUPLE1): containers nest more than 20 levels"));
}

TEST(Unpickler, ValueAndMemoLimits) {
  Limits limits;
  limits.max_values = 3;
  EXPECT_EQ(load_error("(NNNNt."s, nullptr, limits),
            "test.pkl: byte 4 (NONE): the pickle makes more than 3 values (Limits::max_values): "
            "too big, or hostile");
  limits = {};
  limits.max_memo = 2;
  EXPECT_THAT(load_error("Nq\x00q\x01q\x00q\x02."s, nullptr, limits),
              HasSubstr("byte 7 (BINPUT): more than 2 memo entries (Limits::max_memo)"));
  limits = {};
  limits.max_stack = 3;
  EXPECT_THAT(load_error("((NN."s, nullptr, limits),
              HasSubstr("byte 3 (NONE): more than 3 values and marks on the stack"));
}

TEST(Unpickler, InvalidUtf8AndUnknownOpcodes) {
  EXPECT_EQ(load_error("\x80\x02X\x01\x00\x00\x00\xff."s),
            "test.pkl: byte 2 (BINUNICODE): a str that is not valid UTF-8: corrupt or hostile "
            "pickle");
  // An encoded surrogate and an overlong '/' are not UTF-8 either.
  EXPECT_THAT(load_error("\x8c\x03\xed\xa0\x80."s), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(load_error("\x8c\x02\xc0\xaf."s), HasSubstr("not valid UTF-8"));
  EXPECT_EQ(load_error("\x80\x02\xff"s),
            "test.pkl: byte 2: unknown opcode 0xff: not a pickle, or corrupt");
  EXPECT_THAT(
      load_error("\x80\x06N."s),
      HasSubstr("byte 0 (PROTO): unsupported pickle protocol 6 (this reader knows 0 to 5)"));
}

TEST(Unpickler, UnsupportedOpcodesSayWhy) {
  EXPECT_THAT(load_error("\x82\x01."s),
              HasSubstr("byte 0 (EXT1): the extension registry (copyreg.add_extension) is not "
                        "supported"));
  EXPECT_THAT(load_error("\x97."s),
              HasSubstr("byte 0 (NEXT_BUFFER): out-of-band buffers (protocol 5 PickleBuffer) "
                        "are not supported"));
  EXPECT_THAT(load_error("C\x01x\x98."s), HasSubstr("byte 3 (READONLY_BUFFER): out-of-band"));
}

TEST(Unpickler, SourceAndOffsetInMessages) {
  LoadOptions options;
  options.source = "model.bin: archive/data.pkl";
  options.offset = 3;
  Policy policy;
  EXPECT_EQ(cola::test::error_message<Error>([&] { load("xyz\x80\x02h\x05."s, policy, options); }),
            "model.bin: archive/data.pkl: byte 5 (BINGET): memo entry 5 was never stored (no "
            "PUT/BINPUT/MEMOIZE before it): corrupt or hostile pickle");
  EXPECT_EQ((Where{&options.source, 7, ""}).text(), "model.bin: archive/data.pkl: byte 7");
  const std::string none;
  EXPECT_EQ((Where{&none, 7, "STOP"}).text(), "byte 7 (STOP)");
}

TEST(Unpickler, DocumentsMoveWithTheirValues) {
  Document doc = load_bytes(
      "\x80\x02]q\x00h\x00"
      "a."s);
  const Value* root = doc.root();
  const Document moved = std::move(doc);
  EXPECT_EQ(moved.root(), root);
  EXPECT_EQ(moved.root()->items[0], root);
  EXPECT_EQ(moved.size(), 1U);
}

}  // namespace
}  // namespace cola::pickle
