#include "model/names.h"

#include "model/quoting.h"

namespace tsdb {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsLegacyLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

bool IsLegacyMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!(IsAlpha(c) || c == ':' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name, NameValidation scheme) {
  if (scheme == NameValidation::kLegacy) return IsLegacyLabelName(name);
  return !name.empty() && IsValidUTF8(name);
}

bool IsValidMetricName(std::string_view name, NameValidation scheme) {
  if (scheme == NameValidation::kLegacy) return IsLegacyMetricName(name);
  return !name.empty() && IsValidUTF8(name);
}

}  // namespace tsdb
