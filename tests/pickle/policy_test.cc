// The base Policy: what calls it allows (each pickle as CPython 3.11 writes the value, given in
// the comment), what it refuses and how it says so, and BUILD.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pickle/unpickler.h"
#include "pickle_test_util.h"

namespace cola::pickle {
namespace {

using namespace std::string_literals;
using test::load_bytes;
using test::load_error;
using ::testing::HasSubstr;

TEST(Policy, OrderedDictViaReduce) {
  // collections.OrderedDict([('a', 1), ('b', 2)]), 2: REDUCE with no args, then SETITEMS
  const Document doc = load_bytes(
      "\x80\x02"
      "ccollections\nOrderedDict\nq\x00)Rq\x01(X\x01\x00\x00\x00"
      "aq\x02K\x01X\x01"
      "\x00\x00\x00"
      "bq\x03K\x02u."s);
  EXPECT_TRUE(doc.root()->is_dict());
  EXPECT_EQ(doc.root()->qualified_name(), "collections.OrderedDict");
  EXPECT_EQ(describe(*doc.root()), "OrderedDict({'a': 1, 'b': 2})");
  // OrderedDict(pairs) and OrderedDict(mapping), as older picklers and protocol 0 write them.
  EXPECT_EQ(describe(*load_bytes("ccollections\nOrderedDict\n]K\x01K\x02\x86"
                                 "a\x85R."s)
                          .root()),
            "OrderedDict({1: 2})");
  EXPECT_EQ(describe(*load_bytes("ccollections\nOrderedDict\n}K\x01K\x02s\x85R."s).root()),
            "OrderedDict({1: 2})");
  EXPECT_EQ(load_error("ccollections\nOrderedDict\nK\x05\x85R."s),
            "test.pkl: byte 28 (REDUCE): collections.OrderedDict takes no arguments, a mapping "
            "or key, value pairs, got (5,)");
  EXPECT_EQ(load_error("ccollections\nOrderedDict\nNR."s),
            "test.pkl: byte 26 (REDUCE): collections.OrderedDict needs a tuple of arguments, got "
            "a None (None)");
}

TEST(Policy, OrderedDictAttributesStayOutOfItsEntries) {
  // od = OrderedDict(w=1); od._metadata = {'': {'version': 1}}; od, 2 -- what state_dict()
  // returns: BUILD sets the attribute, which must not become a fake tensor entry.
  const Document doc = load_bytes(
      "\x80\x02"
      "ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00wq\x02K\x01s}q\x03X\x09"
      "\x00\x00\x00_metadataq\x04}q\x05X\x00\x00\x00\x00q\x06}q\x07X\x07\x00\x00\x00versionq\x08"
      "K\x01sssb."s);
  EXPECT_EQ(describe(*doc.root()), "OrderedDict({'w': 1})");
  ASSERT_NE(doc.root()->state, nullptr);
  EXPECT_EQ(describe(*doc.root()->state), "{'_metadata': {'': {'version': 1}}}");
}

TEST(Policy, BytesViaCodecsEncode) {
  // b'ab\xff', 2: _codecs.encode('abÿ', 'latin1')
  const Document doc = load_bytes(
      "\x80\x02"
      "c_codecs\nencode\nq\x00X\x04\x00\x00\x00"
      "ab\xc3\xbfq\x01X\x06\x00\x00\x00"
      "latin1q\x02\x86q\x03Rq\x04."s);
  EXPECT_EQ(doc.root()->as_bytes_view(), "ab\xff");
  EXPECT_EQ(load_error("c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06\x00\x00\x00latin1"
                       "\x86R."s),
            "test.pkl: byte 36 (REDUCE): _codecs.encode: the str holds a character past U+00FF, "
            "which latin1 cannot encode");
  EXPECT_THAT(load_error("c_codecs\nencode\nX\x01\x00\x00\x00xX\x05\x00\x00\x00rot13\x86R."s),
              HasSubstr("_codecs.encode takes a str and the encoding latin1 or utf-8, got ('x', "
                        "'rot13')"));
}

TEST(Policy, SetsAndByteArraysOfProtocol2) {
  // {1, 2}, 2 and frozenset({1}), 2: through __builtin__, which fix_imports renames
  EXPECT_EQ(describe(*load_bytes("\x80\x02"
                                 "c__builtin__\nset\nq\x00]q\x01(K\x01K\x02"
                                 "e\x85q"
                                 "\x02Rq\x03."s)
                          .root()),
            "{1, 2}");
  const Document frozen = load_bytes(
      "\x80\x02"
      "c__builtin__\nfrozenset\nq\x00]q\x01K\x01"
      "a\x85q\x02Rq\x03."s);
  EXPECT_EQ(frozen.root()->kind, Kind::kFrozenSet);
  // bytearray(b'a\x00'), 2: bytearray(_codecs.encode('a\x00', 'latin1'))
  EXPECT_EQ(load_bytes("\x80\x02"
                       "c__builtin__\nbytearray\nq\x00"
                       "c_codecs\nencode\nq\x01X\x02"
                       "\x00\x00\x00"
                       "a\x00q\x02X\x06\x00\x00\x00latin1q\x03\x86q\x04Rq\x05\x85q"
                       "\x06Rq\x07."s)
                .root()
                ->as_bytes_view(),
            "a\x00"s);
  EXPECT_THAT(load_error("c__builtin__\nset\n]]a\x85R."s),
              HasSubstr("a list cannot be a set member"));
}

TEST(Policy, NumbersObjectsAndDefaultDict) {
  // slice(1, 2, None), complex(1, 2), range(0, 3): inert objects holding their numbers
  const Document slice = load_bytes(
      "\x80\x02"
      "c__builtin__\nslice\nq\x00K\x01K\x02N\x87q\x01Rq\x02."s);
  EXPECT_EQ(slice.root()->qualified_name(), "builtins.slice");
  EXPECT_EQ(describe(*slice.root()->args), "(1, 2, None)");
  const Document complex = load_bytes(
      "\x80\x02"
      "c__builtin__\ncomplex\nq\x00G\x3f\xf0\x00\x00\x00\x00\x00\x00G@\x00\x00\x00\x00"
      "\x00\x00\x00\x86q\x01Rq\x02."s);
  EXPECT_EQ(describe(*complex.root()->args), "(1.0, 2.0)");
  // Python 2's xrange is Python 3's range; messages keep the written name.
  const Document range = load_bytes(
      "\x80\x02"
      "c__builtin__\nxrange\nq\x00K\x00K\x03K\x01\x87q\x01Rq\x02."s);
  EXPECT_EQ(range.root()->qualified_name(), "builtins.range");
  EXPECT_EQ(range.root()->written_name(), "__builtin__.xrange");
  EXPECT_THAT(load_error("c__builtin__\nrange\n]\x85R."s),
              HasSubstr("__builtin__.range takes up to three numbers, got ([],)"));
  // collections.defaultdict(list, {'a': [1]}), 2
  const Document dd = load_bytes(
      "\x80\x02"
      "ccollections\ndefaultdict\nq\x00"
      "c__builtin__\nlist\nq\x01\x85q\x02Rq\x03X"
      "\x01\x00\x00\x00"
      "aq\x04]q\x05K\x01"
      "as."s);
  EXPECT_EQ(describe(*dd.root()), "defaultdict({'a': [1]})");
  EXPECT_EQ(describe(*dd.root()->args), "(__builtin__.list,)");  // as written
}

TEST(Policy, CopiesAreBounded) {
  // _codecs.encode over one 100-character str, called again and again through the memo.
  std::string bomb = "c_codecs\nencode\nq\x00X\x64\x00\x00\x00"s + std::string(100, 'a') +
                     "X\x06\x00\x00\x00latin1\x86q\x01R0"s;
  for (int i = 0; i < 3; ++i) bomb += "h\x00h\x01R0"s;
  bomb += "N.";
  Limits limits;
  limits.max_copy_bytes = 250;
  EXPECT_EQ(load_error(bomb, nullptr, limits),
            "test.pkl: byte 149 (REDUCE): calls copy more than 250 bytes of existing values "
            "(Limits::max_copy_bytes): a pickle bomb, or too big");
  EXPECT_TRUE(load_bytes(bomb).root()->is_none());
}

TEST(Policy, NewObjAndBuildStayInert) {
  // class Foo: pass; f = Foo(); f.x = 1; f, 2
  const Document doc = load_bytes(
      "\x80\x02"
      "c__main__\nFoo\nq\x00)\x81q\x01}q\x02X\x01\x00\x00\x00xq\x03K\x01sb."s);
  const Value& foo = *doc.root();
  EXPECT_TRUE(foo.is_object());
  EXPECT_EQ(foo.qualified_name(), "__main__.Foo");
  EXPECT_EQ(describe(*foo.args), "()");
  EXPECT_EQ(describe(*foo.state), "{'x': 1}");
  EXPECT_EQ(describe(foo), "<Foo object>");
  // Pickle writes one BUILD per object; merging a second could be repeated without bound.
  EXPECT_EQ(load_error("c__main__\nFoo\n)\x81}b}b."s),
            "test.pkl: byte 19 (BUILD): a second BUILD of an object (<Foo object>): corrupt "
            "or hostile pickle");
  // NEWOBJ_EX keeps the kwargs; NEWOBJ of something that is not a class is refused.
  const Document ex = load_bytes(
      "\x80\x04\x8c\x01m\x8c\x01"
      "C\x93)}\x92."s);
  EXPECT_EQ(ex.root()->qualified_name(), "m.C");
  EXPECT_TRUE(ex.root()->kwargs->is_dict());
  EXPECT_EQ(load_error("])\x81."s),
            "test.pkl: byte 2 (NEWOBJ): NEWOBJ needs a class (a global), got a list ([])");
}

TEST(Policy, DictAndListSubclasses) {
  // class Bar(dict): pass; b = Bar(k=1); b.attr = 2; b, 2 -- NEWOBJ, SETITEM into it, BUILD
  const Document doc = load_bytes(
      "\x80\x02"
      "c__main__\nBar\nq\x00)\x81q\x01X\x01\x00\x00\x00kq\x02K\x01s}q\x03X\x04\x00\x00"
      "\x00"
      "attrq\x04K\x02sb."s);
  EXPECT_EQ(doc.root()->entries.size(), 1U);
  EXPECT_EQ(describe(*doc.root()->state), "{'attr': 2}");
  // The same, 0: copy_reg._reconstructor(Bar, dict, {'k': 1}), whose dict base gives the entries
  const Document old = load_bytes(
      "ccopy_reg\n_reconstructor\np0\n(c__main__\nBar\np1\nc__builtin__\ndict\np2\n(dp3\nVk\np4\n"
      "I1\nstp5\nRp6\n(dp7\nVattr\np8\nI2\nsb."s);
  EXPECT_EQ(old.root()->qualified_name(), "__main__.Bar");
  ASSERT_EQ(old.root()->entries.size(), 1U);
  EXPECT_EQ(old.root()->entries[0].first->as_string_view(), "k");
  EXPECT_EQ(describe(*old.root()->state), "{'attr': 2}");
  // A list subclass: APPENDS into an object.
  EXPECT_EQ(load_bytes("cm\nL\n)\x81(K\x01K\x02"
                       "e."s)
                .root()
                ->items.size(),
            2U);
}

TEST(Policy, ProtocolZeroAndOneCallsGoThroughThePolicy) {
  EXPECT_EQ(load_bytes("(]i__builtin__\nset\n."s).root()->kind, Kind::kSet);               // INST
  EXPECT_EQ(load_bytes("(c__builtin__\nfrozenset\n]o."s).root()->kind, Kind::kFrozenSet);  // OBJ
  EXPECT_EQ(load_error("(i__main__\nFoo\n."s),
            "test.pkl: byte 1 (INST): refusing to call __main__.Foo: unpickling would run it "
            "(only data and tensors are loaded); nothing was run");
  EXPECT_THAT(load_error("(o."s), HasSubstr("byte 1 (OBJ): OBJ needs a class after its MARK"));
}

TEST(Policy, RefusesEveryOtherCall) {
  EXPECT_EQ(load_error("cposix\nsystem\nX\x02\x00\x00\x00ls\x85R."s),
            "test.pkl: byte 22 (REDUCE): refusing to call posix.system: unpickling would run it "
            "(only data and tensors are loaded); nothing was run");
  // With protocol 2, the message names the global as the file wrote it, not as Python 3 does.
  EXPECT_THAT(load_error("\x80\x02"
                         "c__builtin__\neval\nX\x01\x00\x00\x00"
                         "1\x85R."s),
              HasSubstr("byte 27 (REDUCE): refusing to call __builtin__.eval:"));
  // STACK_GLOBAL: the same refusal.
  EXPECT_THAT(load_error("\x80\x04\x8c\x02os\x8c\x06system\x93)R."s),
              HasSubstr("refusing to call os.system"));
  // The result of a call, or an object, is not a named global: refused, naming what it was.
  EXPECT_EQ(load_error("])R."s),
            "test.pkl: byte 2 (REDUCE): refusing to call a list ([]): only a named global can be "
            "called, and only to build data; nothing was run");
  EXPECT_THAT(load_error("c__main__\nFoo\n)\x81)R."s),
              HasSubstr("refusing to call an object (<Foo object>)"));
  EXPECT_THAT(load_error("\x80\x04\x8c\x02os\x8c\x06system\x93R."s), HasSubstr("stack underflow"));
}

TEST(Policy, PersistentIdsNeedALoader) {
  EXPECT_EQ(load_error("X\x01\x00\x00\x00"
                       "0Q."s),
            "test.pkl: byte 6 (BINPERSID): persistent id '0' refers to data outside the pickle, "
            "and no loader for it was given (a torch reader handles these)");
  EXPECT_THAT(load_error("P0\n."s), HasSubstr("byte 0 (PERSID): persistent id '0' refers"));
  test::PlaceholderTorchPolicy policy;
  EXPECT_EQ(describe(*load_bytes("P0\n."s, &policy).root()), "<storage ?>");
}

TEST(Policy, BuildOnlyOnObjectsAndDicts) {
  EXPECT_EQ(load_error("]}b."s),
            "test.pkl: byte 2 (BUILD): BUILD cannot give a list ([]) the state dict ({}): only "
            "objects and dicts take one");
}

// A policy that returns nothing is a bug of the policy, reported as such.
class NullPolicy : public Policy {
 public:
  Value* call(Document& /*doc*/, const Value& /*callable*/, const Value& /*args*/,
              const Where& /*where*/) override {
    return nullptr;
  }
};

TEST(Policy, NullResultsAreErrors) {
  NullPolicy policy;
  EXPECT_THAT(load_error("cm\nf\n)R."s, &policy),
              HasSubstr("byte 6 (REDUCE): the policy made nothing for m.f"));
}

}  // namespace
}  // namespace cola::pickle
