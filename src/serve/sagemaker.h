#pragma once
// The body of SageMaker's POST /invocations, which SageMaker hosting passes on from
// InvokeEndpoint with its ContentType (AWS's "Use Your Own Inference Code with Hosting Services":
// a container answers GET /ping and POST /invocations on port 8080, or SAGEMAKER_BIND_TO_PORT).
//   application/json (or no type)  as POST /predict: {"inputs": "..." | [...], "raw_scores", ...}
//   text/csv                       one sentence per record, a list of lists in the answer
// A CSV record is one column: a line taken whole (commas and all), or one RFC 4180 quoted field
// ("a ""quoted"" word, and a comma"), which may span lines. Blank lines are skipped.
#include <cstdint>
#include <optional>
#include <string_view>

#include "serve/api.h"

namespace cola::serve {

/// Parses a body by its Content-Type (parameters such as "; charset=utf-8" aside). Throws
/// ApiError: 415 for another type; for JSON, as parse_predict; for CSV, 422 naming the record at
/// fault (an unclosed quote, text after a closing quote) or an empty body, 413 for more than
/// `max_inputs` records.
PredictRequest parse_invocation(std::string_view content_type, std::string_view body,
                                int64_t max_inputs);

/// The sentences of a text/csv body, one per record.
std::vector<std::string> csv_records(std::string_view body);

/// The port SageMaker hosting gives the container in $SAGEMAKER_BIND_TO_PORT (it expects 8080, the
/// default, without it); nullopt when unset. UsageError naming the variable when it is no port.
std::optional<int> sagemaker_bind_port();

}  // namespace cola::serve
