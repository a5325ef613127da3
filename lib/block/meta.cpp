#include "block/meta.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <strings.h>

#include "fs/files.h"

namespace tsdb::block {
namespace {

using json = nlohmann::ordered_json;

// Go's encoding/json matches keys case-insensitively.
const json* Find(const json& obj, const char* key) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (::strcasecmp(it.key().c_str(), key) == 0) return &it.value();
  }
  return nullptr;
}

class MetaParser {
 public:
  explicit MetaParser(const std::string& name) : name_(name) {}

  Status Error(const std::string& what) const { return Status::Corruption(name_ + ": " + what); }

  Status Int(const json& obj, const char* key, int64_t* out) const {
    const json* v = Find(obj, key);
    if (v == nullptr || v->is_null()) return Status::OK();
    if (!v->is_number_integer()) return Error(std::string("\"") + key + "\" must be an integer");
    *out = v->get<int64_t>();
    return Status::OK();
  }
  Status Uint(const json& obj, const char* key, uint64_t* out) const {
    const json* v = Find(obj, key);
    if (v == nullptr || v->is_null()) return Status::OK();
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0)) {
      return Error(std::string("\"") + key + "\" must be a non-negative integer");
    }
    *out = v->get<uint64_t>();
    return Status::OK();
  }
  Status Bool(const json& obj, const char* key, bool* out) const {
    const json* v = Find(obj, key);
    if (v == nullptr || v->is_null()) return Status::OK();
    if (!v->is_boolean()) return Error(std::string("\"") + key + "\" must be true or false");
    *out = v->get<bool>();
    return Status::OK();
  }
  Status UlidField(const json& obj, const char* key, Ulid* out) const {
    const json* v = Find(obj, key);
    if (v == nullptr || !v->is_string()) return Error(std::string("\"") + key + "\" must be a ULID string");
    auto u = Ulid::Parse(v->get<std::string>());
    if (!u.ok()) return Error(std::string("\"") + key + "\": " + u.status().message());
    *out = *u;
    return Status::OK();
  }

 private:
  const std::string& name_;
};

}  // namespace

int64_t BlockMeta::DownsampleResolution() const {
  if (!thanos.is_object()) return 0;
  auto d = thanos.find("downsample");
  if (d == thanos.end() || !d->is_object()) return 0;
  auto r = d->find("resolution");
  if (r == d->end() || !r->is_number_integer()) return 0;
  return r->get<int64_t>();
}

Result<BlockMeta> ParseMeta(std::string_view text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Status::Corruption(name + ": invalid JSON: " + e.what());
  }
  MetaParser p(name);
  if (!doc.is_object()) return p.Error("expected a JSON object");
  BlockMeta m;
  int64_t version = 0;
  TSDB_RETURN_IF_ERROR(p.Int(doc, "version", &version));
  if (version != 1) return p.Error("unexpected meta file version " + std::to_string(version) + " (want 1)");
  m.version = 1;
  TSDB_RETURN_IF_ERROR(p.UlidField(doc, "ulid", &m.ulid));
  TSDB_RETURN_IF_ERROR(p.Int(doc, "minTime", &m.min_time));
  TSDB_RETURN_IF_ERROR(p.Int(doc, "maxTime", &m.max_time));
  if (const json* s = Find(doc, "stats"); s && s->is_object()) {
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numSamples", &m.stats.num_samples));
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numFloatSamples", &m.stats.num_float_samples));
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numHistogramSamples", &m.stats.num_histogram_samples));
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numSeries", &m.stats.num_series));
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numChunks", &m.stats.num_chunks));
    TSDB_RETURN_IF_ERROR(p.Uint(*s, "numTombstones", &m.stats.num_tombstones));
  }
  if (const json* c = Find(doc, "compaction"); c && c->is_object()) {
    int64_t level = 0;
    TSDB_RETURN_IF_ERROR(p.Int(*c, "level", &level));
    if (level < 0 || level > 1000000) return p.Error("\"compaction.level\" out of range");
    m.compaction.level = static_cast<int>(level);
    if (const json* src = Find(*c, "sources"); src && src->is_array()) {
      for (const auto& s : *src) {
        if (!s.is_string()) return p.Error("\"compaction.sources\" must hold ULID strings");
        auto u = Ulid::Parse(s.get<std::string>());
        if (!u.ok()) return p.Error("\"compaction.sources\": " + u.status().message());
        m.compaction.sources.push_back(*u);
      }
    }
    TSDB_RETURN_IF_ERROR(p.Bool(*c, "deletable", &m.compaction.deletable));
    if (const json* par = Find(*c, "parents"); par && par->is_array()) {
      for (const auto& d : *par) {
        if (!d.is_object()) return p.Error("\"compaction.parents\" must hold objects");
        BlockDesc desc;
        TSDB_RETURN_IF_ERROR(p.UlidField(d, "ulid", &desc.ulid));
        TSDB_RETURN_IF_ERROR(p.Int(d, "minTime", &desc.min_time));
        TSDB_RETURN_IF_ERROR(p.Int(d, "maxTime", &desc.max_time));
        m.compaction.parents.push_back(desc);
      }
    }
    TSDB_RETURN_IF_ERROR(p.Bool(*c, "failed", &m.compaction.failed));
    if (const json* h = Find(*c, "hints"); h && h->is_array()) {
      for (const auto& s : *h) {
        if (s.is_string()) m.compaction.hints.push_back(s.get<std::string>());
      }
    }
  }
  if (const json* t = Find(doc, "thanos"); t && !t->is_null()) m.thanos = *t;
  return m;
}

std::string MetaToJson(const BlockMeta& m) {
  json doc;
  doc["ulid"] = m.ulid.ToString();
  doc["minTime"] = m.min_time;
  doc["maxTime"] = m.max_time;
  json stats = json::object();
  auto put = [&stats](const char* k, uint64_t v) {
    if (v != 0) stats[k] = v;
  };
  put("numSamples", m.stats.num_samples);
  put("numFloatSamples", m.stats.num_float_samples);
  put("numHistogramSamples", m.stats.num_histogram_samples);
  put("numSeries", m.stats.num_series);
  put("numChunks", m.stats.num_chunks);
  put("numTombstones", m.stats.num_tombstones);
  doc["stats"] = stats;
  json c = json::object();
  c["level"] = m.compaction.level;
  if (!m.compaction.sources.empty()) {
    json s = json::array();
    for (const Ulid& u : m.compaction.sources) s.push_back(u.ToString());
    c["sources"] = s;
  }
  if (m.compaction.deletable) c["deletable"] = true;
  if (!m.compaction.parents.empty()) {
    json ps = json::array();
    for (const BlockDesc& d : m.compaction.parents) {
      json p;
      p["ulid"] = d.ulid.ToString();
      p["minTime"] = d.min_time;
      p["maxTime"] = d.max_time;
      ps.push_back(p);
    }
    c["parents"] = ps;
  }
  if (m.compaction.failed) c["failed"] = true;
  if (!m.compaction.hints.empty()) c["hints"] = m.compaction.hints;
  doc["compaction"] = c;
  doc["version"] = 1;
  if (!m.thanos.is_null()) doc["thanos"] = m.thanos;
  return doc.dump(1, '\t', false, nlohmann::json::error_handler_t::replace);
}

Result<BlockMeta> ReadMeta(const std::string& block_dir) {
  std::string path = block_dir + "/meta.json";
  auto text = fs::ReadWholeFile(path, 16 << 20);
  if (!text.ok()) return text.status();
  return ParseMeta(*text, path);
}

Status WriteMeta(const std::string& block_dir, const BlockMeta& meta) {
  return fs::WriteFilesAtomically({{block_dir + "/meta.json", MetaToJson(meta)}});
}

}  // namespace tsdb::block
