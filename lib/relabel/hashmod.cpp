// Prometheus's hashmod: the last 8 bytes of the MD5 of the value, read as a
// big-endian integer, modulo m.
//
// OpenSSL 3's one-shot EVP_Digest(EVP_md5()) looks the algorithm up and
// allocates a context on every call, which costs more than hashing a short
// target address. So the algorithm is fetched once and each thread keeps one
// context that it re-initialises per value.
#include <openssl/evp.h>

#include <memory>

#include "relabel/relabel.h"

namespace tsdb::relabel {
namespace {

const EVP_MD* Md5() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

uint64_t HashMod(std::string_view value, uint64_t modulus) {
  if (modulus == 0) return 0;
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const EVP_MD* md = Md5();
  if (md == nullptr || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), value.data(), value.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1 || size != 16) {
    return 0;  // only if libcrypto is broken
  }
  uint64_t h = 0;
  for (int i = 8; i < 16; ++i) h = (h << 8) | digest[i];
  return h % modulus;
}

}  // namespace tsdb::relabel
