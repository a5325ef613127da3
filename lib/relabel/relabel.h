// Relabeling: Prometheus's relabel_config, every action Prometheus 3 has.
//
// A Config is one rule; Process applies a list of rules to a label set in
// order, as Prometheus does for relabel_configs and metric_relabel_configs.
// Defaults are Prometheus's: separator ";", regex "(.*)" (always fully
// anchored), replacement "$1", action "replace", target_label required where
// Prometheus requires it. Regexes are RE2, as Prometheus's are Go regexps,
// compiled as Prometheus 3 does: ^(?s:regex)$, so "." also matches "\n";
// Go's (?<name>...) groups are accepted. Names are validated with Prometheus
// 3's default UTF-8 scheme. Replacements expand $1, ${1}, $name, ${name} as
// Go's regexp.Expand does.
// A Config is immutable after loading and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace re2 {
class RE2;
}
namespace YAML {
class Node;
}

namespace tsdb::relabel {

enum class Action {
  kReplace,
  kKeep,
  kDrop,
  kKeepEqual,
  kDropEqual,
  kHashMod,
  kLabelMap,
  kLabelDrop,
  kLabelKeep,
  kLowercase,
  kUppercase,
};
std::string_view ActionName(Action action);  // as written in YAML: "labelmap", ...

struct Config {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex = "(.*)";  // as written; compiled anchored as ^(?s:regex)$
  std::shared_ptr<const re2::RE2> compiled;
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  Action action = Action::kReplace;
};

// Builds a Config from fields, compiles the regex and validates as
// Prometheus's UnmarshalYAML/Validate does (e.g. hashmod needs modulus > 0
// and target_label; labeldrop allows no other fields).
Result<Config> MakeConfig(Config fields);

// Loads a YAML sequence of relabel_configs as Prometheus writes them (strict:
// unknown fields are errors; action names are case-insensitive; a null
// sequence is no rules). Errors name the rule index, the field and the
// position: `relabel_configs[1]: line 4, column 3: unknown field "modulos"`,
// "relabel_configs[0].regex: line 2, column 10: error parsing regexp:
// missing closing ): `^(?s:(a)$`". context replaces "relabel_configs".
Result<std::vector<Config>> LoadConfigs(const YAML::Node& sequence, const std::string& context);
Result<std::vector<Config>> ParseConfigs(std::string_view yaml_text, const std::string& context);

// Applies rules in order. Returns false when a keep/drop rule drops the set;
// then *out is unspecified. A result without labels is also dropped (false,
// *out empty): Prometheus's relabel.Process returns it as kept, but every
// caller (target labels, metric_relabel_configs) then discards an empty set.
bool Process(const Labels& in, const std::vector<Config>& rules, Labels* out);

// Prometheus's hashmod: big-endian uint64 of md5(value) bytes 8..15, mod m.
uint64_t HashMod(std::string_view value, uint64_t modulus);

// YAML for rules, in Prometheus's field order and spelling (for printing
// snippets a user pastes into prometheus.yml): a block sequence, every line
// prefixed by indent spaces; source_labels as a flow list; fields equal to
// their defaults left out except action; strings quoted unless plainly safe.
// LoadConfigs reads the output back to equal rules. No rules give "[]".
std::string ToYAML(const std::vector<Config>& rules, int indent = 0);

}  // namespace tsdb::relabel
