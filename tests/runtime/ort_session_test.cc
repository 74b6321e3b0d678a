// runtime::Session on a model small enough to write by hand: int64 [batch, seq] -> Cast ->
// float. The bytes are encoded here (protobuf wire format) so that this test needs neither
// libonnx nor LibTorch, like the module it tests.
#include "runtime/ort_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Protobuf wire format: a field is (number << 3 | wire type), then a varint or a length + bytes.
std::string varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7F) | 0x80);
  return out + static_cast<char>(v);
}
std::string field(int number, uint64_t value) {
  return varint(uint64_t(number) << 3) + varint(value);
}
std::string field(int number, const std::string& bytes) {
  return varint((uint64_t(number) << 3) | 2) + varint(bytes.size()) + bytes;
}

// ValueInfoProto{name, type{tensor_type{elem_type, shape{dim{dim_param "batch"}, dim{...}}}}}.
std::string value_info(const std::string& name, int elem_type) {
  const std::string shape =
      field(1, field(2, std::string("batch"))) + field(1, field(2, std::string("sequence")));
  return field(1, name) + field(2, field(1, field(1, elem_type) + field(2, shape)));
}

// ModelProto{ir_version 8, opset_import{"" 14}, graph{node Cast(ids) -> y, input ids, output y}}.
std::string cast_model() {
  const std::string to_float = field(1, std::string("to")) + field(3, 1) + field(20, 2);
  const std::string node = field(1, std::string("ids")) + field(2, std::string("y")) +
                           field(4, std::string("Cast")) + field(5, to_float);
  const std::string graph = field(1, node) + field(2, std::string("g")) +
                            field(11, value_info("ids", 7)) + field(12, value_info("y", 1));
  return field(1, 8) + field(7, graph) + field(8, field(1, std::string()) + field(2, 14));
}

TEST(OrtSession, ReportsTheSignatureAndRunsInt64ToFloat) {
  const auto session = Session::from_bytes(cast_model(), {.intra_op_threads = 1});
  ASSERT_EQ(session.inputs().size(), 1u);
  EXPECT_EQ(session.inputs()[0].name, "ids");
  EXPECT_EQ(session.inputs()[0].type, ElementType::kInt64);
  EXPECT_EQ(session.inputs()[0].shape, (std::vector<int64_t>{-1, -1}));
  EXPECT_EQ(session.inputs()[0].dim_params, (std::vector<std::string>{"batch", "sequence"}));
  ASSERT_EQ(session.outputs().size(), 1u);
  EXPECT_EQ(session.outputs()[0].type, ElementType::kFloat);

  const std::vector<int64_t> ids = {1, 2, 3, -4, 5, 600000};
  const auto out = session.run({{"ids", ids, {2, 3}}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "y");
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(out[0].data, (std::vector<float>{1, 2, 3, -4, 5, 600000}));
}

TEST(OrtSession, OpensFilesAndMovesOwnership) {
  test::TempDir tmp;
  write_file_atomic(tmp / "cast.onnx", cast_model());
  Session a = Session::open(tmp / "cast.onnx", {.optimization = GraphOptimization::kDisabled});
  Session b = std::move(a);
  EXPECT_EQ(b.label(), (tmp / "cast.onnx").string());
  const std::vector<int64_t> ids = {7};
  EXPECT_EQ(b.run({{"ids", ids, {1, 1}}}, {"y"})[0].data, (std::vector<float>{7}));
}

TEST(OrtSession, ErrorsNameTheModelAndTheTensor) {
  test::TempDir tmp;
  EXPECT_EQ(test::error_message<Error>([&] { Session::open(tmp / "none.onnx"); }),
            (tmp / "none.onnx").string() + ": no such model file");
  EXPECT_THAT(test::error_message<Error>([] { Session::from_bytes("not a model", {}, "junk"); }),
              HasSubstr("junk: "));
  const auto s = Session::from_bytes(cast_model(), {}, "cast");
  const std::vector<int64_t> ids = {1, 2, 3};
  EXPECT_EQ(test::error_message<Error>([&] {
              s.run({{"input_ids", ids, {1, 3}}});
            }),
            "cast: the model has no input 'input_ids'");
  EXPECT_EQ(test::error_message<Error>([&] {
              s.run({{"ids", ids, {2, 3}}});
            }),
            "cast: input 'ids' has 3 elements, its shape [2,3] needs 6");
  EXPECT_THAT(test::error_message<Error>([&] {
                s.run({{"ids", ids, {1, 3}}}, {"nope"});
              }),
              HasSubstr("cast: "));
}

// The shapes of the cast model are symbolic, so this reaches ORT's own check: its message ends in
// a newline, which must not reach the one-line error.
TEST(OrtSession, OrtsOwnErrorsAreOneLine) {
  const auto s = Session::from_bytes(cast_model(), {}, "cast");
  const std::vector<int64_t> ids = {1, 2, 3, 4, 5, 6};
  const int64_t shape[] = {2, 3};
  const Int64View inputs[] = {{"ids", ids, shape}};
  std::vector<float> out(6);
  const int64_t wrong_out_shape[] = {3, 2};
  const std::string message =
      test::error_message<Error>([&] { s.run_into(inputs, "y", out, wrong_out_shape); });
  EXPECT_THAT(message, HasSubstr("cast: "));
  EXPECT_THAT(message, HasSubstr("has shape {3,2} but the computed output shape for this run is "
                                 "{2,3}"));
  EXPECT_THAT(message, Not(HasSubstr("\n")));
  // A rank the model does not take is ours to report, naming both shapes.
  const int64_t rank3[] = {1, 2, 3};
  const Int64View bad[] = {{"ids", ids, rank3}};
  EXPECT_EQ(test::error_message<Error>([&] { s.run_into(bad, "y", out, shape); }),
            "cast: input 'ids' takes shape [batch, sequence], got [1, 2, 3]");
}

// ORT 1.30's message for a seed input of 7 tokens, verbatim: three lines become one.
TEST(OrtSession, JoinLinesKeepsEveryLineOfAMessage) {
  EXPECT_EQ(join_lines("Got invalid dimensions for input: input_ids for the following indices\n"
                       " index: 1 Got: 7 Expected: 128\n"
                       " Please fix either the inputs/outputs or the model."),
            "Got invalid dimensions for input: input_ids for the following indices; index: 1 "
            "Got: 7 Expected: 128; Please fix either the inputs/outputs or the model.");
  EXPECT_EQ(join_lines("one line"), "one line");
  EXPECT_EQ(join_lines("  a \r\n\n\tb  "), "a; b");
  EXPECT_EQ(join_lines(""), "");
}

}  // namespace
}  // namespace cola::runtime
