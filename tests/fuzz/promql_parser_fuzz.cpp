// Fuzzes the PromQL parser and printer: any input either fails with a
// message or parses to a tree whose canonical form parses again and prints
// identically. Deep nesting must fail cleanly (the parser bounds its depth).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "promql/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  tsdb::promql::ParseOptions options;
  // Half the inputs with the feature flags on, decided by the length.
  options.experimental_functions = size % 2 == 0;
  options.duration_expr = size % 2 == 0;
  options.binop_fill_modifiers = size % 2 == 0;
  tsdb::promql::PosRange where;
  auto parsed = tsdb::promql::ParseExpr(in, options, &where);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    if (where.start < 0 || where.start > where.end || where.end > static_cast<int>(size)) std::abort();
    return 0;
  }
  std::string first = tsdb::promql::Format(**parsed);
  auto again = tsdb::promql::ParseExpr(first, options);
  if (!again.ok()) std::abort();
  if (tsdb::promql::Format(**again) != first) std::abort();
  if ((*again)->type() != (*parsed)->type()) std::abort();
  return 0;
}
