// Multirun sweep expansion (Hydra's BasicSweeper semantics) and the job directory layout.
#include "config/sweep.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "support/error_message.h"

namespace cola::config {
namespace {

using test::error_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Jobs = std::vector<std::vector<std::string>>;

std::vector<std::string> values(const std::string& text) {
  return sweep_values(parse_override(text));
}

TEST(Sweep, CartesianProductFirstOverrideSlowest) {
  EXPECT_EQ(expand_sweep({"training.lr=1e-3,3e-4", "seed=7", "model=bert-tiny,bert-mini"}),
            (Jobs{{"training.lr=1e-3", "seed=7", "model=bert-tiny"},
                  {"training.lr=1e-3", "seed=7", "model=bert-mini"},
                  {"training.lr=3e-4", "seed=7", "model=bert-tiny"},
                  {"training.lr=3e-4", "seed=7", "model=bert-mini"}}));
  EXPECT_EQ(expand_sweep({}), Jobs{{}});
  EXPECT_EQ(expand_sweep({"a=1"}), Jobs{{"a=1"}});
  EXPECT_EQ(expand_sweep({"+extra=x,y"}), (Jobs{{"+extra=x"}, {"+extra=y"}}));
}

TEST(Sweep, RangeLikePython) {
  EXPECT_THAT(values("a=range(3)"), ElementsAre("0", "1", "2"));
  EXPECT_THAT(values("a=range(1,5)"), ElementsAre("1", "2", "3", "4"));
  EXPECT_THAT(values("a=range(10, 0, -4)"), ElementsAre("10", "6", "2"));
  EXPECT_THAT(values("a=range(1,10,step=4)"), ElementsAre("1", "5", "9"));
  // Floats without drift: 0.1 + 2 * 0.1 is 0.30000000000000004 in binary.
  EXPECT_THAT(values("a=range(0.1,0.4,0.1)"), ElementsAre("0.1", "0.2", "0.3"));
}

TEST(Sweep, ChoiceAndQuotedValues) {
  EXPECT_THAT(values("model=choice(bert-tiny, bert-mini)"), ElementsAre("bert-tiny", "bert-mini"));
  EXPECT_THAT(values("a='x,y',z"), ElementsAre("'x,y'", "z"));
  EXPECT_THAT(values("a=[1,2]"), ElementsAre("[1,2]"));  // a list value, not a sweep
}

TEST(Sweep, SyntaxErrorsQuoteTheOverride) {
  EXPECT_EQ(error_message<UsageError>([] { values("a=range(1,x)"); }),
            "invalid sweep 'a=range(1,x)': range() argument 'x' is not a number");
  EXPECT_THAT(error_message<UsageError>([] { values("a=range(1,2,0)"); }), HasSubstr("step is 0"));
  EXPECT_THAT(error_message<UsageError>([] { values("a=range(5,1)"); }),
              HasSubstr("the range is empty"));
  EXPECT_THAT(error_message<UsageError>([] { values("a=range()"); }),
              HasSubstr("1 to 3 arguments"));
  EXPECT_THAT(error_message<UsageError>([] { values("a=1,,2"); }), HasSubstr("empty value"));
  EXPECT_THAT(error_message<UsageError>([] { values("a=choice()"); }), HasSubstr("no values"));
  EXPECT_THAT(error_message<UsageError>([] { values("a=1,range(2,3)"); }),
              HasSubstr("cannot be nested"));
  EXPECT_THAT(error_message<UsageError>([] { values("~a=1,2"); }), HasSubstr("removal"));
}

TEST(Multirun, LayoutAndSweepDir) {
  std::tm tm{};
  tm.tm_year = 126;
  tm.tm_mon = 10;
  tm.tm_mday = 27;
  tm.tm_hour = 9;
  tm.tm_min = 5;
  tm.tm_sec = 7;
  tm.tm_isdst = -1;
  const auto now = std::chrono::system_clock::from_time_t(std::mktime(&tm));  // local time
  auto plan = plan_multirun({"training.lr=1,2", "model=a,b,c"}, now);
  EXPECT_EQ(plan.dir, "multirun/2026-11-27/09-05-07");
  ASSERT_EQ(plan.jobs.size(), 6U);
  EXPECT_EQ(plan.jobs[5].index, 5);
  EXPECT_EQ(plan.jobs[5].dir, "multirun/2026-11-27/09-05-07/5");
  EXPECT_THAT(plan.jobs[5].overrides, ElementsAre("training.lr=2", "model=c"));

  plan = plan_multirun({"hydra.sweep.dir=/tmp/s", "a=1"}, now);
  EXPECT_EQ(plan.dir, "/tmp/s");
  ASSERT_EQ(plan.jobs.size(), 1U);
  EXPECT_EQ(plan.jobs[0].dir, "/tmp/s/0");
  EXPECT_THAT(plan.jobs[0].overrides, ElementsAre("a=1"));
  EXPECT_THAT(error_message<UsageError>([&] { plan_multirun({"hydra.run.dir=x"}, now); }),
              HasSubstr("set hydra.sweep.dir=... instead"));
}

}  // namespace
}  // namespace cola::config
