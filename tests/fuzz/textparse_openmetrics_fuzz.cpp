// libFuzzer target: the OpenMetrics parser never crashes, and whatever it
// accepts, Writer writes back to identical samples.
#include "textparse_roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tsdb::textparse::fuzz::RoundTrip(data, size, tsdb::textparse::Format::kOpenMetrics);
  return 0;
}
