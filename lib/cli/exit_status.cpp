#include "cli/exit_status.h"

namespace tsdb::cli {

int ExitStatusFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return kExitOk;
    case Status::Code::kUsage: return kExitUsage;
    default: return kExitFailure;
  }
}

}  // namespace tsdb::cli
