#include "config/interpolate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/tree.h"
#include "core/error.h"
#include "support/error_message.h"

namespace cola::config {
namespace {

ResolveContext context() {
  ResolveContext c;
  c.config_dir = "/cfg";
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 10;
  t.tm_mday = 27;
  t.tm_hour = 7;
  t.tm_min = 5;
  t.tm_sec = 9;
  t.tm_isdst = -1;
  c.now = std::chrono::system_clock::from_time_t(std::mktime(&t));
  return c;
}

YAML::Node resolved(const std::string& yaml) {
  YAML::Node root = YAML::Load(yaml);
  resolve_interpolations(root, context());
  return root;
}

std::string error_of(const std::string& yaml) {
  return test::error_message<UsageError>([&] { resolved(yaml); });
}

TEST(Interpolate, KeysWholeAndEmbedded) {
  const auto r = resolved("a: {b: 3, m: {x: 1}}\nc: ${a.b}\nd: n${a.b}.txt\ne: ${a.m}\nf: ${c}\n");
  EXPECT_EQ(r["c"].Scalar(), "3");
  EXPECT_EQ(r["d"].Scalar(), "n3.txt");
  EXPECT_TRUE(r["e"].IsMap());  // a whole-value interpolation keeps the target's type
  EXPECT_EQ(r["e"]["x"].Scalar(), "1");
  EXPECT_EQ(r["f"].Scalar(), "3");  // chains resolve
}

TEST(Interpolate, RelativeKeys) {
  const auto r = resolved("a: {b: 1, c: '${.b}', d: {e: '${..b}'}}\n");
  EXPECT_EQ(r["a"]["c"].Scalar(), "1");
  EXPECT_EQ(r["a"]["d"]["e"].Scalar(), "1");
}

TEST(Interpolate, EnvWithAndWithoutDefault) {
  ::setenv("COLA_TEST_VAR", "hello", 1);
  ::unsetenv("COLA_TEST_UNSET");
  const auto r = resolved(
      "a: ${oc.env:COLA_TEST_VAR}\nb: ${oc.env:COLA_TEST_UNSET,fallback}\n"
      "c: ${oc.env:COLA_TEST_UNSET,${a}}/x\n");
  EXPECT_EQ(r["a"].Scalar(), "hello");
  EXPECT_EQ(r["b"].Scalar(), "fallback");
  EXPECT_EQ(r["c"].Scalar(), "hello/x");  // defaults may interpolate too
  EXPECT_EQ(error_of("x: ${oc.env:COLA_TEST_UNSET}\n"),
            "x: environment variable 'COLA_TEST_UNSET' is not set and has no default");
}

TEST(Interpolate, NowIsOneInstantEverywhere) {
  const auto r = resolved(
      "d: ${now:%Y-%m-%d}\nt: ${now:%H-%M-%S}\ndir: out/${now:%Y-%m-%d}/${now:%H-%M-%S}\n");
  EXPECT_EQ(r["d"].Scalar(), "2026-11-27");
  EXPECT_EQ(r["t"].Scalar(), "07-05-09");
  EXPECT_EQ(r["dir"].Scalar(), "out/2026-11-27/07-05-09");
}

TEST(Interpolate, ConfigDirAndEscapes) {
  const auto r = resolved("p: ${cola.config_dir:}/../data\nlit: \\${not.a.key}\n");
  EXPECT_EQ(r["p"].Scalar(), "/cfg/../data");
  EXPECT_EQ(r["lit"].Scalar(), "${not.a.key}");
}

TEST(Interpolate, ErrorsNameTheKeyAtFault) {
  EXPECT_EQ(error_of("a: {b: '${nope.x}'}\n"),
            "a.b: interpolation '${nope.x}' refers to a missing key 'nope.x'");
  EXPECT_EQ(error_of("a: ${b}\nb: ${a}\n"), "interpolation cycle: a -> b -> a");
  EXPECT_EQ(error_of("a: ${foo:1}\n"),
            "a: unknown interpolation resolver 'foo' (available: oc.env, now, cola.config_dir)");
  EXPECT_EQ(error_of("m: {x: 1}\na: pre${m}\n"),
            "a: '${m}' refers to a map or list, which cannot be embedded in a string");
  EXPECT_EQ(error_of("a: ${b\n"), "a: unterminated interpolation in '${b'");
}

}  // namespace
}  // namespace cola::config
