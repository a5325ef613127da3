// ULID: the 128-bit, time-ordered identifier of a block (its folder name).
//
// 48 bits of Unix milliseconds then 80 bits of randomness, written as 26
// Crockford base32 characters, upper case. Parsing is strict, as Prometheus's
// isBlockDir: exactly 26 characters of the alphabet, first one <= '7'; lower
// case is accepted. Text order equals time order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"

namespace tsdb::block {

class Ulid {
 public:
  Ulid() = default;  // the zero ULID, 00000000000000000000000000
  // A new ULID for the given time with random entropy from the OS.
  static Ulid New(uint64_t unix_ms);
  static Result<Ulid> Parse(std::string_view text);

  std::string ToString() const;
  uint64_t time_ms() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  bool operator==(const Ulid& o) const { return bytes_ == o.bytes_; }
  bool operator!=(const Ulid& o) const { return bytes_ != o.bytes_; }
  bool operator<(const Ulid& o) const { return bytes_ < o.bytes_; }

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace tsdb::block
