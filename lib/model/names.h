// Metric and label name validation, as Prometheus 3 validates them.
//
// Prometheus 3 accepts any non-empty valid UTF-8 string as a metric or label
// name (the "utf8" validation scheme, its default); the "legacy" scheme keeps
// the old character classes. Names starting with "__" are reserved for
// internal use but still valid.
#pragma once

#include <string_view>

namespace tsdb {

enum class NameValidation { kUTF8, kLegacy };

// [a-zA-Z_][a-zA-Z0-9_]*
bool IsLegacyLabelName(std::string_view name);
// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsLegacyMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name, NameValidation scheme = NameValidation::kUTF8);
bool IsValidMetricName(std::string_view name, NameValidation scheme = NameValidation::kUTF8);

}  // namespace tsdb
