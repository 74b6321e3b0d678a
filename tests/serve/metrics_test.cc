// The Prometheus text: every series present at zero before the first request, cumulative buckets.
#include "serve/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, EverySeriesIsThereAtZeroBeforeTheFirstRequest) {
  const Metrics m;
  const std::string text = m.render();
  for (const char* line :
       {"cola_requests_total{status=\"200\"} 0", "cola_requests_total{status=\"429\"} 0",
        "cola_request_duration_seconds_count 0", "cola_request_queue_duration_seconds_count 0",
        "cola_request_tokenization_duration_seconds_count 0",
        "cola_request_inference_duration_seconds_count 0", "cola_batch_size_count 0",
        "cola_batch_tokens_count 0", "cola_queue_size 0", "cola_requests_in_flight 0",
        "# TYPE cola_batch_size histogram"}) {
    EXPECT_THAT(text, HasSubstr(line)) << line;
  }
}

TEST(Metrics, CountsAndCumulativeBuckets) {
  Metrics m;
  m.request(200, 0.002);
  m.request(429, 0.0001);
  m.request(418, 0.0001);
  m.batch(3, 48);
  m.batch(1, 16);
  m.set_queue_size(7);
  const std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("cola_requests_total{status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_requests_total{status=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"4\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_sum 4\n"));
  EXPECT_THAT(text, HasSubstr("cola_request_duration_seconds_count 3\n"));
  EXPECT_THAT(text, HasSubstr("cola_queue_size 7\n"));
  EXPECT_EQ(m.requests(429), 1u);
  EXPECT_THAT(text, Not(HasSubstr("nan")));
}

TEST(Metrics, ExponentialBuckets) {
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
}

}  // namespace
}  // namespace cola::serve
