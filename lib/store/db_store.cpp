#include "store/db_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "block/ulid.h"
#include "cli/log.h"
#include "compact/aggr_chunk.h"
#include "compact/aggr_select.h"
#include "model/timeutil.h"

namespace tsdb::store {
namespace {

constexpr DownsampledAggregate kAllAggregates[] = {
    DownsampledAggregate::kAvg, DownsampledAggregate::kCount, DownsampledAggregate::kSum,
    DownsampledAggregate::kMin, DownsampledAggregate::kMax,   DownsampledAggregate::kCounter,
};

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

bool Meets(const block::BlockReader& b, int64_t min_time, int64_t max_time) {
  // Blocks are [min, max); the query range is closed.
  return b.meta().max_time > min_time && b.meta().min_time <= max_time;
}

// The average of Thanos's sum and count aggregates, per window: the two sets
// hold the same series in label order with a sample at the same window ends.
class AvgSeriesSet : public block::SeriesSet {
 public:
  AvgSeriesSet(std::unique_ptr<block::SeriesSet> sum, std::unique_ptr<block::SeriesSet> count)
      : sum_(std::move(sum)), count_(std::move(count)) {
    sum_ok_ = sum_->Next();
    count_ok_ = count_->Next();
  }

  bool Next() override {
    while (sum_ok_ && count_ok_) {
      const Labels& a = sum_->labels();
      const Labels& b = count_->labels();
      if (a < b) {
        sum_ok_ = sum_->Next();
        continue;
      }
      if (b < a) {
        count_ok_ = count_->Next();
        continue;
      }
      labels_ = a;
      samples_.clear();
      const auto& s = sum_->samples();
      const auto& c = count_->samples();
      size_t i = 0, j = 0;
      while (i < s.size() && j < c.size()) {
        if (s[i].t < c[j].t) {
          ++i;
        } else if (c[j].t < s[i].t) {
          ++j;
        } else {
          samples_.push_back(block::Sample{s[i].t, s[i].v / c[j].v});
          ++i;
          ++j;
        }
      }
      sum_ok_ = sum_->Next();
      count_ok_ = count_->Next();
      if (!samples_.empty()) return true;
    }
    return false;
  }
  const Labels& labels() const override { return labels_; }
  const std::vector<block::Sample>& samples() const override { return samples_; }
  const Status& status() const override { return sum_->status().ok() ? count_->status() : sum_->status(); }
  uint64_t skipped_non_float_chunks() const override {
    return std::max(sum_->skipped_non_float_chunks(), count_->skipped_non_float_chunks());
  }

 private:
  std::unique_ptr<block::SeriesSet> sum_, count_;
  bool sum_ok_ = false, count_ok_ = false;
  Labels labels_;
  std::vector<block::Sample> samples_;
};

Result<std::unique_ptr<block::SeriesSet>> SelectDownsampled(const std::vector<const block::BlockReader*>& blocks,
                                                            const std::vector<Matcher>& matchers, int64_t min_time,
                                                            int64_t max_time, DownsampledAggregate a) {
  using compact::Aggr;
  switch (a) {
    case DownsampledAggregate::kAvg: {
      TSDB_ASSIGN_OR_RETURN(auto sum, compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kSum));
      TSDB_ASSIGN_OR_RETURN(auto count, compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kCount));
      return std::unique_ptr<block::SeriesSet>(new AvgSeriesSet(std::move(sum), std::move(count)));
    }
    case DownsampledAggregate::kCount: return compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kCount);
    case DownsampledAggregate::kSum: return compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kSum);
    case DownsampledAggregate::kMin: return compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kMin);
    case DownsampledAggregate::kMax: return compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kMax);
    case DownsampledAggregate::kCounter:
      return compact::SelectAggregate(blocks, matchers, min_time, max_time, Aggr::kCounter);
  }
  return Status::InvalidArgument("unknown aggregate");
}

}  // namespace

const char* DownsampledAggregateName(DownsampledAggregate a) {
  switch (a) {
    case DownsampledAggregate::kAvg: return "avg";
    case DownsampledAggregate::kCount: return "count";
    case DownsampledAggregate::kSum: return "sum";
    case DownsampledAggregate::kMin: return "min";
    case DownsampledAggregate::kMax: return "max";
    case DownsampledAggregate::kCounter: return "counter";
  }
  return "?";
}

Result<DownsampledAggregate> ParseDownsampledAggregate(std::string_view s) {
  for (DownsampledAggregate a : kAllAggregates) {
    if (s == DownsampledAggregateName(a)) return a;
  }
  return Status::InvalidArgument("unknown aggregate \"" + std::string(s) +
                                 "\" (want avg, count, sum, min, max or counter)");
}

// One directory (or block folder) given to Open.
struct DbStore::Source {
  std::string dir;
  std::unique_ptr<db::DB> db;                    // a data directory
  std::unique_ptr<block::BlockReader> single;    // a block folder given directly
  std::vector<const block::BlockReader*> raw;    // resolution 0, in time order
  std::vector<const block::BlockReader*> downsampled;
  const head::Head* head = nullptr;              // non-null when it holds samples
};

DbStore::DbStore(std::vector<std::unique_ptr<Source>> sources, DbStoreOptions options)
    : sources_(std::move(sources)), options_(options) {}
DbStore::~DbStore() = default;

Result<std::unique_ptr<DbStore>> DbStore::Open(const std::vector<std::string>& dirs, DbStoreOptions options) {
  std::vector<std::unique_ptr<Source>> sources;
  for (const std::string& dir : dirs) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::NotFound(dir + ": no such directory");
      return Status::IOError(dir + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) return Status::IOError(dir + ": not a directory");
    if (::access(dir.c_str(), R_OK | X_OK) != 0) return Status::IOError(dir + ": " + std::strerror(errno));

    auto s = std::make_unique<Source>();
    s->dir = dir;
    std::vector<const block::BlockReader*> blocks;
    if (block::Ulid::Parse(BaseName(dir)).ok() && Exists(dir + "/meta.json")) {
      auto b = block::BlockReader::Open(dir);
      if (!b.ok()) return b.status().message().find(dir) == std::string::npos ? b.status().WithContext(dir) : b.status();
      s->single = std::move(b).value();
      blocks.push_back(s->single.get());
    } else {
      db::Options o;
      o.quiet = options.quiet;
      auto d = db::DB::OpenReadOnly(dir, o);
      if (!d.ok()) return d.status().message().find(dir) == std::string::npos ? d.status().WithContext(dir) : d.status();
      s->db = std::move(d).value();
      for (const auto& b : s->db->blocks()) blocks.push_back(b.get());
      if (options.include_head && !s->db->head().empty()) s->head = &s->db->head();
    }
    for (const block::BlockReader* b : blocks) {
      (b->meta().DownsampleResolution() == 0 ? s->raw : s->downsampled).push_back(b);
    }
    sources.push_back(std::move(s));
  }

  // Raw data wins over downsampled data; among downsampled blocks, the finest resolution.
  bool any_raw = false;
  int64_t finest = 0;
  size_t downsampled = 0;
  for (const auto& s : sources) {
    any_raw = any_raw || !s->raw.empty() || s->head != nullptr;
    for (const block::BlockReader* b : s->downsampled) {
      int64_t r = b->meta().DownsampleResolution();
      if (finest == 0 || r < finest) finest = r;
      ++downsampled;
    }
  }
  std::unique_ptr<DbStore> store(new DbStore({}, options));
  if (any_raw) {
    if (downsampled > 0 && !options.quiet) {
      cli::Log().Warn("raw and downsampled blocks found: querying the raw data, leaving the downsampled blocks out",
                      {{"downsampled_blocks", std::to_string(downsampled)}});
    }
    for (auto& s : sources) s->downsampled.clear();
  } else if (downsampled > 0) {
    store->resolution_ = finest;
    for (auto& s : sources) {
      std::vector<const block::BlockReader*> keep;
      for (const block::BlockReader* b : s->downsampled) {
        if (b->meta().DownsampleResolution() == finest) {
          keep.push_back(b);
        } else if (!options.quiet) {
          cli::Log().Warn("leaving out a downsampled block coarser than the finest resolution present",
                          {{"block", b->dir()},
                           {"resolution", FormatDuration(b->meta().DownsampleResolution())},
                           {"finest", FormatDuration(finest)}});
        }
      }
      s->downsampled = std::move(keep);
    }
  }
  store->sources_ = std::move(sources);
  return store;
}

size_t DbStore::num_blocks() const {
  size_t n = 0;
  for (const auto& s : sources_) n += s->raw.size() + s->downsampled.size();
  return n;
}

bool DbStore::has_head() const {
  for (const auto& s : sources_) {
    if (s->head != nullptr) return true;
  }
  return false;
}

std::vector<const block::BlockReader*> DbStore::BlocksIn(const Source& s, int64_t min_time, int64_t max_time) const {
  std::vector<const block::BlockReader*> out;
  for (const auto* list : {&s.raw, &s.downsampled}) {
    for (const block::BlockReader* b : *list) {
      if (Meets(*b, min_time, max_time)) out.push_back(b);
    }
  }
  return out;
}

Result<std::unique_ptr<block::SeriesSet>> DbStore::Select(const std::vector<Matcher>& matchers, int64_t min_time,
                                                          int64_t max_time) const {
  std::vector<std::unique_ptr<block::SeriesSet>> sets;
  for (const auto& s : sources_) {
    std::vector<const block::BlockReader*> raw, downsampled;
    for (const block::BlockReader* b : s->raw) {
      if (Meets(*b, min_time, max_time)) raw.push_back(b);
    }
    for (const block::BlockReader* b : s->downsampled) {
      if (Meets(*b, min_time, max_time)) downsampled.push_back(b);
    }
    // Blocks before the head: where both hold a timestamp (a persisted
    // range still in the WAL), the block wins, as in db::DB::Select.
    if (!raw.empty()) {
      TSDB_ASSIGN_OR_RETURN(auto set, block::Select(raw, matchers, min_time, max_time));
      sets.push_back(std::move(set));
    }
    if (!downsampled.empty()) {
      TSDB_ASSIGN_OR_RETURN(auto set,
                            SelectDownsampled(downsampled, matchers, min_time, max_time, options_.aggregate));
      sets.push_back(std::move(set));
    }
    if (s->head != nullptr && s->head->max_time() >= min_time && s->head->min_time() <= max_time) {
      TSDB_ASSIGN_OR_RETURN(auto set, s->head->Select(matchers, min_time, max_time));
      sets.push_back(std::move(set));
    }
  }
  if (sets.size() == 1) return std::move(sets.front());
  return db::MergeSeriesSets(std::move(sets));
}

Status DbStore::ForEachSeries(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time, int64_t max_time,
                              const std::function<void(const Labels&)>& fn) const {
  static const std::vector<std::vector<Matcher>> kEverySeries{{}};
  const auto& sels = selectors.empty() ? kEverySeries : selectors;
  Labels labels;
  std::vector<index::ChunkMeta> chunks;
  for (const auto& s : sources_) {
    for (const block::BlockReader* b : BlocksIn(*s, min_time, max_time)) {
      for (const std::vector<Matcher>& sel : sels) {
        auto p = sel.empty() ? b->index().AllPostings() : b->index().PostingsForMatchers(sel);
        if (!p.ok()) return p.status().WithContext(b->dir() + "/index");
        index::PostingsPtr postings = std::move(p).value();
        while (postings->Next()) {
          TSDB_RETURN_IF_ERROR(b->index().Series(postings->At(), &labels, &chunks).WithContext(b->dir() + "/index"));
          bool meets = std::any_of(chunks.begin(), chunks.end(), [&](const index::ChunkMeta& c) {
            return c.max_time >= min_time && c.min_time <= max_time;
          });
          if (meets) fn(labels);
        }
        TSDB_RETURN_IF_ERROR(postings->status().WithContext(b->dir() + "/index"));
      }
    }
    if (s->head != nullptr) {
      for (const std::vector<Matcher>& sel : sels) {
        TSDB_ASSIGN_OR_RETURN(auto set, s->head->Select(sel, min_time, max_time));
        while (set->Next()) {
          if (!set->samples().empty()) fn(set->labels());
        }
        TSDB_RETURN_IF_ERROR(set->status());
      }
    }
  }
  return Status::OK();
}

Result<std::vector<std::string>> DbStore::LabelNames(const std::vector<std::vector<Matcher>>& selectors,
                                                     int64_t min_time, int64_t max_time) const {
  std::set<std::string, std::less<>> names;
  auto add = [&](std::string_view n) {
    if (names.find(n) == names.end()) names.emplace(n);
  };
  if (!selectors.empty()) {
    TSDB_RETURN_IF_ERROR(ForEachSeries(selectors, min_time, max_time, [&](const Labels& ls) {
      for (const Label& l : ls) add(l.name);
    }));
    return std::vector<std::string>(names.begin(), names.end());
  }
  for (const auto& s : sources_) {
    for (const block::BlockReader* b : BlocksIn(*s, min_time, max_time)) {
      for (std::string_view n : b->index().LabelNames()) add(n);
    }
    if (s->head != nullptr) {
      TSDB_ASSIGN_OR_RETURN(auto set, s->head->Select({}, min_time, max_time));
      while (set->Next()) {
        if (set->samples().empty()) continue;
        for (const Label& l : set->labels()) add(l.name);
      }
      TSDB_RETURN_IF_ERROR(set->status());
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> DbStore::LabelValues(std::string_view name,
                                                      const std::vector<std::vector<Matcher>>& selectors,
                                                      int64_t min_time, int64_t max_time) const {
  std::set<std::string, std::less<>> values;
  auto add = [&](std::string_view v) {
    if (!v.empty() && values.find(v) == values.end()) values.emplace(v);
  };
  if (!selectors.empty()) {
    TSDB_RETURN_IF_ERROR(
        ForEachSeries(selectors, min_time, max_time, [&](const Labels& ls) { add(ls.Get(name)); }));
    return std::vector<std::string>(values.begin(), values.end());
  }
  for (const auto& s : sources_) {
    for (const block::BlockReader* b : BlocksIn(*s, min_time, max_time)) {
      auto vs = b->index().LabelValues(name);
      if (!vs.ok()) return vs.status().WithContext(b->dir() + "/index");
      for (std::string_view v : *vs) add(v);
    }
    if (s->head != nullptr) {
      TSDB_ASSIGN_OR_RETURN(auto set, s->head->Select({}, min_time, max_time));
      while (set->Next()) {
        if (!set->samples().empty()) add(set->labels().Get(name));
      }
      TSDB_RETURN_IF_ERROR(set->status());
    }
  }
  return std::vector<std::string>(values.begin(), values.end());
}

Result<std::vector<Labels>> DbStore::Series(const std::vector<std::vector<Matcher>>& selectors, int64_t min_time,
                                            int64_t max_time) const {
  std::vector<Labels> out;
  TSDB_RETURN_IF_ERROR(ForEachSeries(selectors, min_time, max_time, [&](const Labels& ls) { out.push_back(ls); }));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tsdb::store
