#include "block/ulid.h"

#include <sys/random.h>

#include <cerrno>

namespace tsdb::block {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

Ulid Ulid::New(uint64_t unix_ms) {
  Ulid u;
  for (int i = 0; i < 6; ++i) u.bytes_[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  size_t got = 0;
  while (got < 10) {
    ssize_t n = ::getrandom(u.bytes_.data() + 6 + got, 10 - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // no entropy source: keep what we have; the time part still orders blocks
    }
    got += static_cast<size_t>(n);
  }
  return u;
}

uint64_t Ulid::time_ms() const {
  uint64_t t = 0;
  for (int i = 0; i < 6; ++i) t = (t << 8) | bytes_[i];
  return t;
}

std::string Ulid::ToString() const {
  // 130 bits of output for 128 bits of input: the value is read as a 130-bit
  // number with two leading zero bits, five bits per character.
  std::string out(26, '0');
  for (int c = 0; c < 26; ++c) {
    int bit = c * 5 - 2;  // first bit of this character, counted from the top of the 128 bits
    unsigned v = 0;
    for (int k = 0; k < 5; ++k) {
      int b = bit + k;
      v <<= 1;
      if (b >= 0) v |= (bytes_[b / 8] >> (7 - b % 8)) & 1;
    }
    out[c] = kAlphabet[v];
  }
  return out;
}

Result<Ulid> Ulid::Parse(std::string_view text) {
  if (text.size() != 26) return Status::InvalidArgument("not a ULID (want 26 characters): \"" + std::string(text) + "\"");
  Ulid u;
  for (int c = 0; c < 26; ++c) {
    int v = DecodeChar(text[c]);
    if (v < 0) return Status::InvalidArgument("not a ULID (bad character): \"" + std::string(text) + "\"");
    if (c == 0 && v > 7) return Status::InvalidArgument("not a ULID (overflows 128 bits): \"" + std::string(text) + "\"");
    for (int k = 0; k < 5; ++k) {
      int b = c * 5 - 2 + k;
      if (b < 0) continue;
      if ((v >> (4 - k)) & 1) u.bytes_[b / 8] |= static_cast<uint8_t>(1 << (7 - b % 8));
    }
  }
  return u;
}

}  // namespace tsdb::block
