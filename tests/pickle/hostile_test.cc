// The hostile pickles of ../shared/golden/pytorch/hostile (README.md there): each must fail with
// one clear line, and the two that would run a shell command in Python must run nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/file.h"
#include "pickle/unpickler.h"
#include "pickle_test_util.h"
#include "support/shared_data.h"

namespace cola::pickle {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;

// What Python's pickle would create on loading the exec-* files.
const std::filesystem::path kPwned = "/tmp/cola-pwned";

// `unzip -p exec-os-system.bin exec-os-system/data.pkl`: a state dict whose last entry is
// 'evil': posix.system('touch /tmp/cola-pwned') (REDUCE at byte 313).
const std::string kExecOsSystem =
    "\x80\x02"
    "ccollections\x0aOrderedDict\x0aq\x00)Rq\x01(X\x11\x00\x00\x00"
    "classifier.wei"
    "ghtq\x02"
    "ctorch._utils\x0a_rebuild_tensor_v2\x0aq\x03((X\x07\x00\x00\x00storageq\x04"
    "ctorch\x0a"
    "FloatStorage\x0aq\x05X\x01\x00\x00\x00"
    "0q\x06X\x03\x00\x00\x00"
    "cpuq\x07K"
    "\x80tq\x08QK\x00K\x02K@\x86q\x09K@K\x01\x86q\x0a\x89h\x00)Rq\x0btq\x0cRq\x0dX\x0f\x00\x00"
    "\x00"
    "classifier.biasq\x0eh\x03((h\x04h\x05X\x01\x00\x00\x00"
    "1q\x0fh\x07K\x02tq\x10QK"
    "\x00K\x02\x85q\x11K\x01\x85q\x12\x89h\x00)Rq\x13tq\x14Rq\x15X\x04\x00\x00\x00"
    "evilq\x16"
    "cposix\x0asystem\x0aq\x17X\x15\x00\x00\x00touch /tmp/cola-pwnedq\x18\x85q\x19Rq\x1au."s;

// `unzip -p exec-eval.ckpt exec-eval/data.pkl`: a Lightning-style checkpoint whose entry 'x' is
// __builtin__.eval("__import__('os').system('touch /tmp/cola-pwned')") (REDUCE at byte 373).
const std::string kExecEval =
    "\x80\x02}q\x00(X\x0a\x00\x00\x00state_dictq\x01"
    "ccollections\x0aOrderedDict\x0aq\x02)Rq"
    "\x03(X\x16\x00\x00\x00"
    "bert.classifier.weightq\x04"
    "ctorch._utils\x0a_rebuild_tensor_v"
    "2\x0aq\x05((X\x07\x00\x00\x00storageq\x06"
    "ctorch\x0a"
    "FloatStorage\x0aq\x07X\x01\x00"
    "\x00\x00"
    "0q\x08X\x03\x00\x00\x00"
    "cpuq\x09K\x80tq\x0aQK\x00K\x02K@\x86q\x0bK@K\x01\x86"
    "q\x0c\x89h\x02)Rq\x0dtq\x0eRq\x0fX\x14\x00\x00\x00"
    "bert.classifier.biasq\x10h\x05((h"
    "\x06h\x07X\x01\x00\x00\x00"
    "1q\x11h\x09K\x02tq\x12QK\x00K\x02\x85q\x13K\x01\x85q\x14\x89"
    "h\x02)Rq\x15tq\x16Rq\x17uX\x01\x00\x00\x00xq\x18"
    "c__builtin__\x0a"
    "eval\x0aq\x19X0\x00"
    "\x00\x00__import__('os').system('touch /tmp/cola-pwned')q\x1a\x85q\x1bRq\x1cu."s;

std::string load_file_error(const std::filesystem::path& path) {
  return cola::test::error_message<Error>([&] {
    LoadOptions options;
    options.source = path.filename().string();
    load(read_file(path), options);
  });
}

std::string load_exec_error(const std::string& bytes, const std::string& source) {
  std::filesystem::remove(kPwned);
  test::PlaceholderTorchPolicy policy;  // tensors load, so the refusal is of the exec call itself
  LoadOptions options;
  options.source = source;
  std::string message = cola::test::error_message<Error>([&] { load(bytes, policy, options); });
  EXPECT_EQ(policy.tensors, 2) << "the tensors before the hostile entry should have loaded";
  EXPECT_FALSE(std::filesystem::exists(kPwned)) << "something ran: " << kPwned << " exists";
  return message;
}

TEST(Hostile, ExecOsSystemIsRefusedAndNothingRuns) {
  EXPECT_EQ(load_exec_error(kExecOsSystem, "exec-os-system.bin: data.pkl"),
            "exec-os-system.bin: data.pkl: byte 313 (REDUCE): refusing to call posix.system: "
            "unpickling would run it (only data and tensors are loaded); nothing was run");
}

TEST(Hostile, ExecEvalIsRefusedByItsWrittenName) {
  EXPECT_EQ(load_exec_error(kExecEval, "exec-eval.ckpt: data.pkl"),
            "exec-eval.ckpt: data.pkl: byte 373 (REDUCE): refusing to call __builtin__.eval: "
            "unpickling would run it (only data and tensors are loaded); nothing was run");
}

TEST(Hostile, BasePolicyStopsAtTheFirstPersistentId) {
  std::filesystem::remove(kPwned);
  EXPECT_THAT(test::load_error(kExecOsSystem),
              HasSubstr("test.pkl: byte 154 (BINPERSID): persistent id ('storage', "
                        "torch.FloatStorage, '0', 'cpu', 128) refers to data outside the pickle"));
  EXPECT_FALSE(std::filesystem::exists(kPwned));
}

TEST(Hostile, BadMemo) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hostile/bad-memo.pkl");
  EXPECT_EQ(load_file_error(path),
            "bad-memo.pkl: byte 2 (BINGET): memo entry 5 was never stored (no PUT/BINPUT/MEMOIZE "
            "before it): corrupt or hostile pickle");
}

TEST(Hostile, DeepNestingHitsTheStackLimit) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hostile/deep-nesting.pkl");
  EXPECT_EQ(load_file_error(path),
            "deep-nesting.pkl: byte 65538 (EMPTY_LIST): more than 65536 values and marks on the "
            "stack (Limits::max_stack): nesting this deep is refused");
}

TEST(Hostile, HugeLengthFailsWithoutAllocating) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hostile/huge-length.pkl");
  EXPECT_EQ(std::filesystem::file_size(path), 11U);
  // Were the 4 GB allocated first, this would throw std::bad_alloc (or take seconds), not Error.
  EXPECT_EQ(load_file_error(path),
            "huge-length.pkl: byte 2 (BINUNICODE): a string of 4294967280 bytes runs past the end "
            "of the input (4 bytes left): truncated, corrupt or hostile");
}

}  // namespace
}  // namespace cola::pickle
