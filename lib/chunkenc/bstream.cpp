#include "chunkenc/bstream.h"

namespace tsdb::chunkenc {

void BStreamReader::RefillTail() {
  // Fewer than 8 bytes left: take them one at a time. Clear the bits below
  // the valid ones first; the fast refill may have left copies there.
  buffer_ = valid_ == 0 ? 0 : buffer_ & (~uint64_t{0} << (64 - valid_));
  while (valid_ <= 56 && p_ < end_) {
    buffer_ |= uint64_t{*p_++} << (56 - valid_);
    valid_ += 8;
  }
}

bool BStreamReader::ReadBitsSlow(unsigned nbits, uint64_t* v) {
  if (nbits == 0 || nbits > 64 || nbits > bits_left()) return false;
  Refill();
  if (nbits <= valid_) {
    *v = buffer_ >> (64 - nbits);
    Skip(nbits);
    return true;
  }
  // 57..64 bits with a buffer of 57..63: two reads.
  unsigned hi = nbits - 32;
  uint64_t top = buffer_ >> (64 - hi);
  Skip(hi);
  Refill();
  *v = (top << 32) | (buffer_ >> 32);
  Skip(32);
  return true;
}

}  // namespace tsdb::chunkenc
