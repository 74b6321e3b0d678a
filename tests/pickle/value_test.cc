// Values, the Document that owns them, and describe().
#include "pickle/value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "pickle/document.h"
#include "pickle_test_util.h"

namespace cola::pickle {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;

TEST(Value, Accessors) {
  Document doc;
  const Value& i = *doc.make_int(-3);
  EXPECT_EQ(i.as_int(), -3);
  EXPECT_EQ(i.as_float(), -3.0);
  EXPECT_EQ(i.as_bool(), std::nullopt);
  EXPECT_EQ(i.as_string_view(), "");
  EXPECT_EQ(doc.make_bool(true)->as_int(), std::nullopt);  // a bool is not taken for an int
  EXPECT_EQ(doc.make_string("x")->as_bytes_view(), "");
  EXPECT_EQ(doc.make_bytes("x")->as_string_view(), "");
  EXPECT_EQ(doc.make_float(0.5)->as_float(), 0.5);
}

TEST(Value, GetOnDictsOnly) {
  Document doc;
  Value& dict = *doc.make_dict();
  doc.insert(dict, doc.make_string("a"), doc.make_int(1));
  doc.insert(dict, doc.make_int(7), doc.make_int(2));
  doc.insert(dict, doc.make_string("a"), doc.make_int(3));  // set twice: Python keeps the last
  EXPECT_EQ(dict.get("a")->as_int(), 3);
  EXPECT_EQ(dict.get("7"), nullptr);
  EXPECT_EQ(dict.get("b"), nullptr);
  EXPECT_EQ(doc.make(Kind::kList)->get("a"), nullptr);
}

TEST(Value, Names) {
  Document doc;
  const Value& global = *doc.make_global("builtins", "set", "__builtin__.set");
  EXPECT_EQ(global.qualified_name(), "builtins.set");
  EXPECT_EQ(global.written_name(), "__builtin__.set");
  const Value& object = *doc.make_object(global);
  EXPECT_EQ(object.qualified_name(), "builtins.set");
  EXPECT_EQ(object.written_name(), "__builtin__.set");
  EXPECT_EQ(doc.make_global("a.b", "C")->written_name(), "a.b.C");
  EXPECT_EQ(doc.make_dict("collections", "OrderedDict")->qualified_name(),
            "collections.OrderedDict");
  EXPECT_EQ(doc.make_dict()->qualified_name(), "");
  EXPECT_EQ(doc.make_string("x")->qualified_name(), "");
}

TEST(Value, LongsAreMinimalAndFitInt64WhenTheyCan) {
  Document doc;
  EXPECT_EQ(doc.make_long("")->as_int(), 0);  // how LONG1 writes 0
  EXPECT_EQ(doc.make_long("\xff\xff")->as_int(), -1);
  EXPECT_EQ(doc.make_long("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"s)->as_int(), 1);
  const Value& min = *doc.make_long("\x00\x00\x00\x00\x00\x00\x00\x80"s);
  EXPECT_EQ(min.as_int(), std::numeric_limits<int64_t>::min());
  const Value& big = *doc.make_long("\x00\x00\x00\x00\x00\x00\x00\x80\x00"s);  // 2**63
  EXPECT_EQ(big.kind, Kind::kBigInt);
  EXPECT_EQ(big.as_int(), std::nullopt);
  EXPECT_EQ(describe(big), "9223372036854775808");
  EXPECT_TRUE(big.int_equals_hex("0x8000000000000000"));
  EXPECT_TRUE(doc.make_int(255)->int_equals_hex("ff"));
  EXPECT_FALSE(doc.make_int(255)->int_equals_hex("0xfg"));
  EXPECT_FALSE(doc.make_string("255")->int_equals_hex("ff"));
}

TEST(Value, Hashability) {
  Document doc;
  Value* list = doc.make(Kind::kList);
  EXPECT_FALSE(list->hashable());
  EXPECT_FALSE(doc.make_tuple({doc.make_int(1), list})->hashable());
  EXPECT_FALSE(doc.make_tuple({doc.make_tuple({list})})->hashable());
  EXPECT_TRUE(doc.make_tuple({doc.make_int(1), doc.make(Kind::kFrozenSet)})->hashable());
  EXPECT_TRUE(doc.make_global("m", "n")->hashable());
  Value& dict = *doc.make_dict();
  EXPECT_EQ(cola::test::error_message<DocumentError>(
                [&] { doc.insert(dict, doc.make_tuple({list}), doc.make_none()); }),
            "a tuple cannot be a dict key: Python cannot hash it (([],))");
}

TEST(Document, DestroysDeepChainsFlat) {
  // 100,000 nested lists: a recursive destructor (a shared_ptr tree) would overflow the stack.
  Limits limits;
  limits.max_depth = 200'000;
  auto doc = std::make_unique<Document>(limits);
  Value* inner = doc->make(Kind::kList);
  for (int i = 0; i < 100'000; ++i) inner = doc->make_list({inner});
  EXPECT_EQ(inner->depth, 100'000U);
  EXPECT_EQ(describe(*inner, 40), "[[[[[[[...]]]]]]]");
  EXPECT_EQ(doc->size(), 100'001U);
  doc.reset();
}

TEST(Document, CountsValuesAgainstTheLimit) {
  Limits limits;
  limits.max_values = 2;
  Document doc(limits);
  doc.make_none();
  doc.make_none();
  EXPECT_THAT(cola::test::error_message<DocumentError>([&] { doc.make_none(); }),
              HasSubstr("more than 2 values (Limits::max_values)"));
}

TEST(Describe, PythonLikeRepr) {
  Document doc;
  Value& hparams = *doc.make_dict();
  doc.insert(hparams, doc.make_string("lr"), doc.make_float(3e-05));
  doc.insert(hparams, doc.make_string("model_name"), doc.make_string("x"));
  EXPECT_EQ(describe(hparams), "{'lr': 3e-05, 'model_name': 'x'}");

  Value& ordered = *doc.make_dict("collections", "OrderedDict");
  EXPECT_EQ(describe(ordered), "OrderedDict()");
  doc.insert(ordered, doc.make_string("w"), doc.make_tuple({doc.make_int(1)}));
  EXPECT_EQ(describe(ordered), "OrderedDict({'w': (1,)})");

  EXPECT_EQ(describe(*doc.make_float(1.0)), "1.0");
  EXPECT_EQ(describe(*doc.make_float(-std::numeric_limits<double>::infinity())), "-inf");
  EXPECT_EQ(describe(*doc.make_string("it's")), "\"it's\"");
  EXPECT_EQ(describe(*doc.make_string("a\\b\n'\"")), "'a\\\\b\\n\\'\"'");
  EXPECT_EQ(describe(*doc.make_bytes("\x00"
                                     "a\xff"s)),
            "b'\\x00a\\xff'");
  EXPECT_EQ(describe(*doc.make(Kind::kSet)), "set()");
  EXPECT_EQ(describe(*doc.make(Kind::kTuple)), "()");
  EXPECT_EQ(describe(*doc.make_list({doc.make_none(), doc.make_bool(false)})), "[None, False]");
  EXPECT_EQ(describe(*doc.make_global("torch", "FloatStorage")), "torch.FloatStorage");
  const Value& cls = *doc.make_global("pytorch_lightning.callbacks", "ModelCheckpoint");
  EXPECT_EQ(describe(*doc.make_object(cls)), "<ModelCheckpoint object>");
  EXPECT_EQ(describe(*doc.make_external(std::make_shared<test::Placeholder>("tensor(2, 64)"))),
            "tensor(2, 64)");
  EXPECT_EQ(describe(*doc.make_external(std::make_shared<External>())), "<external>");
}

TEST(Describe, BoundedInLength) {
  Document doc;
  Value& list = *doc.make(Kind::kList);
  for (int i = 0; i < 1000; ++i) doc.append(list, doc.make_int(i));
  EXPECT_EQ(describe(list, 20), "[0, 1, 2, 3, 4, 5...");
  EXPECT_EQ(describe(list, 2), "[0");
  // A cut never splits a UTF-8 character: "[" + "'" + 10 x "é" (2 bytes each).
  std::string text;
  for (int i = 0; i < 10; ++i) text += "\xc3\xa9";
  EXPECT_EQ(describe(*doc.make_string(text), 9), "'\xc3\xa9\xc3\xa9...");
  EXPECT_EQ(describe(*doc.make_long(std::string(100, '\x01'))), "<int of 100 bytes>");
}

TEST(Describe, KindNames) {
  EXPECT_EQ(kind_name(Kind::kString), "str");
  EXPECT_EQ(kind_name(Kind::kBigInt), "int");
  EXPECT_EQ(kind_name(Kind::kDict), "dict");
  EXPECT_EQ(kind_name(Kind::kTuple), "tuple");
  EXPECT_EQ(kind_name(Kind::kGlobal), "global");
  EXPECT_EQ(kind_name(Kind::kObject), "object");
  EXPECT_EQ(kind_name(Kind::kFrozenSet), "frozenset");
  EXPECT_EQ(kind_name(Kind::kNone), "None");
}

}  // namespace
}  // namespace cola::pickle
