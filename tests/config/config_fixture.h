#pragma once
// A throwaway config directory for composition tests, so they pin the grammar independently of
// the shipped configs/ (which bind_test checks separately).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compose.h"
#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::config {

class ConfigDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write("config.yaml",
          "defaults:\n  - model: small\n  - training: default\n  - _self_\n"
          "seed: 1\nrun:\n  dir: out/${model.name}\n");
    write("model/small.yaml", "name: small\nhidden_size: 64\nlayers: 2\n");
    write("model/big.yaml", "name: big\nhidden_size: 512\nlayers: 8\n");
    write("training/default.yaml", "max_epochs: 5\nlr: 0.001\n");
    write("extra/on.yaml", "flag: true\n");
  }
  void write(const std::string& rel, const std::string& text) {
    write_file_atomic(dir_.path() / rel, text);
  }
  Composed run(std::vector<std::string> overrides) {
    ComposeOptions o;
    o.config_dir = dir_.path();
    o.overrides = std::move(overrides);
    return compose(o);
  }
  // The UsageError message of run(overrides), or "" if it did not throw.
  std::string error_of(std::vector<std::string> overrides) {
    return test::error_message<UsageError>([&] { run(std::move(overrides)); });
  }
  test::TempDir dir_;
};

}  // namespace cola::config
