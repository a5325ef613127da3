// Config construction and Prometheus's Config.Validate.
#include <string>

#include "model/names.h"
#include "model/quoting.h"
#include "relabel/internal.h"

namespace tsdb::relabel {

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kReplace: return "replace";
    case Action::kKeep: return "keep";
    case Action::kDrop: return "drop";
    case Action::kKeepEqual: return "keepequal";
    case Action::kDropEqual: return "dropequal";
    case Action::kHashMod: return "hashmod";
    case Action::kLabelMap: return "labelmap";
    case Action::kLabelDrop: return "labeldrop";
    case Action::kLabelKeep: return "labelkeep";
    case Action::kLowercase: return "lowercase";
    case Action::kUppercase: return "uppercase";
  }
  return "replace";
}

namespace internal {

Status Validate(const Config& c, const Explicit& given) {
  const Action a = c.action;
  const std::string action(ActionName(a));
  auto invalid_target = [&] {
    return Status::InvalidArgument(GoQuote(c.target_label) + " is invalid 'target_label' for " + action + " action");
  };
  const bool needs_target = a == Action::kReplace || a == Action::kHashMod || a == Action::kLowercase ||
                            a == Action::kUppercase || a == Action::kKeepEqual || a == Action::kDropEqual;
  const bool case_or_equal =
      a == Action::kLowercase || a == Action::kUppercase || a == Action::kKeepEqual || a == Action::kDropEqual;

  if (a == Action::kHashMod && c.modulus == 0) {
    return Status::InvalidArgument("relabel configuration for hashmod requires non-zero modulus");
  }
  if (needs_target && c.target_label.empty()) {
    return Status::InvalidArgument("relabel configuration for " + action + " action requires 'target_label' value");
  }
  // Under UTF-8 validation a target with $ references is checked like any
  // other name: non-empty, valid UTF-8.
  if (a == Action::kReplace && !IsValidLabelName(c.target_label)) return invalid_target();
  if (case_or_equal && !IsValidLabelName(c.target_label)) return invalid_target();
  if (case_or_equal && c.replacement != kDefaultReplacement) {
    return Status::InvalidArgument("'replacement' can not be set for " + action + " action");
  }
  if (a == Action::kLabelMap && !IsValidLabelName(c.replacement)) {
    return Status::InvalidArgument(GoQuote(c.replacement) + " is invalid 'replacement' for " + action + " action");
  }
  if (a == Action::kHashMod && !IsValidLabelName(c.target_label)) return invalid_target();

  if (a == Action::kKeepEqual || a == Action::kDropEqual) {
    if (given.regex || c.regex != kDefaultRegex || c.modulus != 0 || c.separator != kDefaultSeparator ||
        c.replacement != kDefaultReplacement) {
      return Status::InvalidArgument(action +
                                     " action requires only 'source_labels' and `target_label`, and no other fields");
    }
  }
  if (a == Action::kLabelDrop || a == Action::kLabelKeep) {
    if (given.source_labels || !c.source_labels.empty() || !c.target_label.empty() || c.modulus != 0 ||
        c.separator != kDefaultSeparator || c.replacement != kDefaultReplacement) {
      return Status::InvalidArgument(action + " action requires only 'regex', and no other fields");
    }
  }
  return Status::OK();
}

}  // namespace internal

Result<Config> MakeConfig(Config fields) {
  TSDB_ASSIGN_OR_RETURN(fields.compiled, internal::CompileRegex(fields.regex));
  TSDB_RETURN_IF_ERROR(internal::Validate(fields, internal::Explicit{}));
  return fields;
}

}  // namespace tsdb::relabel
