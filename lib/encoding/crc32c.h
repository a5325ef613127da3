// CRC32C (Castagnoli), the checksum of every index section, chunk and WAL
// record in Prometheus's formats. Uses the SSE4.2 crc32 instruction when the
// CPU has it (checked once at run time), a slicing-by-8 table otherwise.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tsdb::encoding {

// Continues a CRC32C over more bytes: Crc32c(Crc32c(0, a), b) == Crc32c(0, a+b).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);
inline uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }
inline uint32_t Crc32c(std::string_view s) { return Crc32cExtend(0, s.data(), s.size()); }

bool Crc32cIsHardwareAccelerated();

}  // namespace tsdb::encoding
