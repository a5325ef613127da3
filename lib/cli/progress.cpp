#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tsdb::cli {

Progress::Progress(bool enabled, std::string label) : enabled_(enabled && ::isatty(2) == 1), label_(std::move(label)) {}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  if (total > 0) {
    std::fprintf(stderr, "\r%s: %llu/%llu (%.0f%%)\x1b[K", label_.c_str(), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), 100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    std::fprintf(stderr, "\r%s: %llu\x1b[K", label_.c_str(), static_cast<unsigned long long>(done));
  }
  std::fflush(stderr);
}

void Progress::Done() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace tsdb::cli
