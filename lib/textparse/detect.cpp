// DetectFormat: OpenMetrics by name or by syntax only OpenMetrics has.
#include <string>

#include "textparse/parser.h"

namespace tsdb::textparse {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The part of a sample line after its label set (quoted strings skipped).
std::string_view AfterLabels(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  if (i == line.size() || line[i] != '{') return line.substr(i);
  bool quoted = false;
  for (++i; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '}') {
      return line.substr(i + 1);
    }
  }
  return {};
}

}  // namespace

Format DetectFormat(std::string_view source_name, std::string_view head) {
  if (source_name.size() >= 3 && source_name.substr(source_name.size() - 3) == ".om") return Format::kOpenMetrics;
  std::string counter;  // the last counter family not named *_total
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (line == "# EOF" || StartsWith(line, "# UNIT ")) return Format::kOpenMetrics;
    if (StartsWith(line, "# TYPE ")) {
      std::string_view rest = line.substr(7);
      size_t sp = rest.rfind(' ');
      if (sp == std::string_view::npos) continue;
      std::string_view name = rest.substr(0, sp), type = rest.substr(sp + 1);
      if (type == "gaugehistogram" || type == "info" || type == "stateset" || type == "unknown") {
        return Format::kOpenMetrics;
      }
      if (type == "counter" && !(name.size() >= 6 && name.substr(name.size() - 6) == "_total")) {
        counter = std::string(name) + "_total";
      } else {
        counter.clear();
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (!counter.empty() && StartsWith(line, counter) && line.size() > counter.size() &&
        (line[counter.size()] == '{' || line[counter.size()] == ' ')) {
      return Format::kOpenMetrics;
    }
    if (AfterLabels(line).find(" # {") != std::string_view::npos) return Format::kOpenMetrics;
  }
  return Format::kPrometheus;
}

}  // namespace tsdb::textparse
