// The Prometheus text: every series present at zero before the first request, cumulative buckets.
#include "serve/prometheus.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cola::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Metrics, EverySeriesIsThereAtZeroBeforeTheFirstRequest) {
  const Metrics m({"/", "/predict"});
  const std::string text = m.render();
  for (const char* line :
       {"cola_requests_total{route=\"/predict\",status=\"200\"} 0",
        "cola_requests_total{route=\"/\",status=\"429\"} 0",
        "cola_requests_total{route=\"other\",status=\"404\"} 0",
        "cola_requests_total{route=\"/\",status=\"other\"} 0",
        "cola_request_duration_seconds_count 0", "cola_request_queue_duration_seconds_count 0",
        "cola_request_tokenization_duration_seconds_count 0",
        "cola_request_inference_duration_seconds_count 0", "cola_batch_size_count 0",
        "cola_batch_tokens_count 0", "cola_queue_size 0", "cola_requests_in_flight 0",
        "# TYPE cola_batch_size histogram"}) {
    EXPECT_THAT(text, HasSubstr(line)) << line;
  }
}

TEST(Metrics, CountsAndCumulativeBuckets) {
  Metrics m({"/", "/predict"});
  m.request("/predict", 200, 0.002);
  m.request("/predict", 429, 0.0001);
  m.request("/predict", 418, 0.0001);
  m.batch(3, 48);
  m.batch(1, 16);
  m.set_queue_size(7);
  const std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("cola_requests_total{route=\"/predict\",status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_requests_total{route=\"/predict\",status=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"4\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cola_batch_size_sum 4\n"));
  EXPECT_THAT(text, HasSubstr("cola_request_duration_seconds_count 3\n"));
  EXPECT_THAT(text, HasSubstr("cola_queue_size 7\n"));
  EXPECT_EQ(m.requests("/predict", 429), 1u);
  EXPECT_EQ(m.requests("/predict", 418), 0u) << "not a status of its own";
  EXPECT_THAT(text, Not(HasSubstr("nan")));
}

TEST(Metrics, EachRouteCountsApartAndAnyOtherPathIsOther) {
  Metrics m({"/", "/predict"});
  m.request("/", 200, 0.001);
  m.request("/", 422, 0.001);
  m.request("/predict", 200, 0.001);
  m.request("/wp-login.php", 404, 0.001);
  m.request("/predict/", 404, 0.001);
  EXPECT_EQ(m.requests("/", 200), 1u);
  EXPECT_EQ(m.requests("/", 422), 1u);
  EXPECT_EQ(m.requests("/predict", 200), 1u);
  EXPECT_EQ(m.requests("other", 404), 2u);
  const std::string text = m.render();
  EXPECT_THAT(text, HasSubstr("cola_requests_total{route=\"/\",status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cola_requests_total{route=\"other\",status=\"404\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("wp-login"))) << "a scanned path adds no series";
  EXPECT_THAT(text, HasSubstr("cola_request_duration_seconds_count 5\n"));
}

TEST(Metrics, ExponentialBuckets) {
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
}

}  // namespace
}  // namespace cola::serve
