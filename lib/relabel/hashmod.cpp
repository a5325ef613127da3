// Prometheus's hashmod: the last 8 bytes of the MD5 of the value, read as a
// big-endian integer, modulo m.
#include <openssl/evp.h>

#include "relabel/relabel.h"

namespace tsdb::relabel {

uint64_t HashMod(std::string_view value, uint64_t modulus) {
  if (modulus == 0) return 0;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(value.data(), value.size(), digest, &size, EVP_md5(), nullptr) != 1 || size != 16) {
    return 0;  // only if libcrypto is broken
  }
  uint64_t h = 0;
  for (int i = 8; i < 16; ++i) h = (h << 8) | digest[i];
  return h % modulus;
}

}  // namespace tsdb::relabel
