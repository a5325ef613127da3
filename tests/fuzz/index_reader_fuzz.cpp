// libFuzzer target: arbitrary bytes opened as an index and walked entirely
// (symbols, label names and values, postings, series, matchers, VerifyAll).
// Must never crash, hang or allocate more than the input's size warrants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "index/reader.h"
#include "model/matcher.h"

using tsdb::index::ChunkMeta;
using tsdb::index::IndexReader;
using tsdb::index::SeriesRef;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = IndexReader::OpenFromBuffer(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!r.ok()) return 0;
  const IndexReader& ir = **r;
  auto syms = ir.Symbols();
  while (syms.Next()) {
  }
  for (uint32_t i = 0; i < ir.NumSymbols() && i < 10000; ++i) (void)ir.LookupSymbol(i);
  (void)ir.LookupSymbol(ir.NumSymbols());
  for (std::string_view n : ir.LabelNames()) {
    auto values = ir.LabelValues(n);
    if (!values.ok()) continue;
    for (std::string_view v : *values) {
      auto p = ir.Postings(n, v);
      if (!p.ok()) continue;
      while ((*p)->Next()) {
      }
    }
  }
  tsdb::Labels labels;
  std::vector<ChunkMeta> chunks;
  auto all = ir.AllPostings();
  if (all.ok()) {
    while ((*all)->Next()) (void)ir.Series((*all)->At(), &labels, &chunks);
  }
  for (SeriesRef ref : {SeriesRef{0}, SeriesRef{1}, SeriesRef{2}, ~SeriesRef{0}}) (void)ir.Series(ref, &labels, &chunks);
  auto m1 = tsdb::Matcher::Make(tsdb::Matcher::Type::kEqual, "job", "");
  auto m2 = tsdb::Matcher::Make(tsdb::Matcher::Type::kRegexMatch, "__name__", ".+");
  if (m1.ok() && m2.ok()) {
    auto p = ir.PostingsForMatchers({*m1, *m2});
    if (p.ok()) {
      while ((*p)->Next()) {
      }
    }
  }
  (void)ir.VerifyAll(nullptr);
  return 0;
}
