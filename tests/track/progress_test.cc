#include "track/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace cola::track {
namespace {

using ::testing::HasSubstr;

TEST(Progress, PlainLinesEveryTenthWhenNotATty) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress p("epoch 1/2", 100, f);
  for (int i = 1; i <= 100; ++i) p.update(i, "loss 0.500");
  p.finish("loss 0.400");
  std::rewind(f);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), f));
  std::fclose(f);
  int lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 11);  // the first step, each further 10% up to 90%, and the final line
  EXPECT_THAT(text, HasSubstr("epoch 1/2 [##########..........] 50/100 | loss 0.500 | ETA "));
  // The elapsed time is whatever this machine took: its format, not its value.
  EXPECT_THAT(text, ::testing::ContainsRegex("100/100 [|] loss 0[.]400 [|] [0-9]+:[0-9][0-9]\n"));
  EXPECT_EQ(text.find('\r'), std::string::npos);  // no TTY control codes in logs
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(Progress::format_duration(5), "0:05");
  EXPECT_EQ(Progress::format_duration(65), "1:05");
  EXPECT_EQ(Progress::format_duration(3723), "1:02:03");
}

}  // namespace
}  // namespace cola::track
