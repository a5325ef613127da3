#include "block/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "block/chunk_segments.h"
#include "block/tombstones.h"
#include "chunkenc/chunk.h"
#include "chunkenc/chunk_cutter.h"
#include "chunkenc/xor.h"
#include "index/writer.h"
#include "model/timeutil.h"

namespace tsdb::block {
namespace {

Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("opening " + path + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("syncing " + path + ": " + std::strerror(errno));
  return Status::OK();
}

}  // namespace

struct BlockWriter::Impl {
  BlockWriterOptions options;
  BlockMeta meta;
  std::string tmp_dir;
  std::string final_dir;
  std::unique_ptr<ChunkWriter> chunks;
  std::unique_ptr<index::IndexWriter> index;
  bool finished = false;
  bool any_symbol = false;
  std::vector<index::ChunkMeta> metas;  // reused per series

  Status FlushChunk(chunkenc::XORChunk* c, int64_t min_t, int64_t max_t) {
    if (c->num_samples() == 0) return Status::OK();
    TSDB_ASSIGN_OR_RETURN(uint64_t ref, chunks->Write(chunkenc::EncXOR, c->bytes()));
    metas.push_back(index::ChunkMeta{min_t, max_t, ref});
    meta.stats.num_chunks++;
    c->Reset();
    return Status::OK();
  }
};

BlockWriter::BlockWriter() : impl_(std::make_unique<Impl>()) {}

BlockWriter::~BlockWriter() {
  if (impl_ && !impl_->finished && !impl_->tmp_dir.empty()) {
    impl_->chunks.reset();
    impl_->index.reset();
    std::error_code ec;
    std::filesystem::remove_all(impl_->tmp_dir, ec);
  }
}

Result<std::unique_ptr<BlockWriter>> BlockWriter::Create(const BlockWriterOptions& o) {
  if (o.min_time >= o.max_time) {
    return Status::InvalidArgument("block range [" + std::to_string(o.min_time) + ", " + std::to_string(o.max_time) +
                                   ") is empty");
  }
  auto w = std::unique_ptr<BlockWriter>(new BlockWriter());
  Impl& im = *w->impl_;
  im.options = o;
  im.meta.ulid = Ulid::New(static_cast<uint64_t>(NowMillis()));
  im.meta.min_time = o.min_time;
  im.meta.max_time = o.max_time;
  im.meta.compaction.level = o.level;
  im.meta.compaction.sources = {im.meta.ulid};
  std::string name = im.meta.ulid.ToString();
  im.final_dir = o.parent_dir + "/" + name;
  im.tmp_dir = im.final_dir + ".tmp-for-creation";
  std::error_code ec;
  std::filesystem::create_directories(im.tmp_dir + "/chunks", ec);
  if (ec) return Status::IOError("creating " + im.tmp_dir + "/chunks: " + ec.message());
  im.chunks = std::make_unique<ChunkWriter>(im.tmp_dir + "/chunks", o.segment_size);
  TSDB_ASSIGN_OR_RETURN(im.index, index::IndexWriter::Create(im.tmp_dir + "/index"));
  return w;
}

Status BlockWriter::AddSymbol(std::string_view symbol) {
  // Prometheus's symbol tables always hold "" (the all-postings key's name
  // and value come from the head's postings): so do ours, for identical bytes.
  if (!impl_->any_symbol) {
    impl_->any_symbol = true;
    if (!symbol.empty()) TSDB_RETURN_IF_ERROR(impl_->index->AddSymbol(""));
  }
  return impl_->index->AddSymbol(symbol);
}

Status BlockWriter::AddSeries(const Labels& labels, std::span<const Sample> samples) {
  Impl& im = *impl_;
  if (samples.empty()) return Status::OK();
  im.metas.clear();
  chunkenc::ChunkCutter::Options co;
  co.chunk_range_ms = im.options.chunk_range_ms;
  co.samples_per_chunk = im.options.samples_per_chunk;
  chunkenc::ChunkCutter cutter(co);
  chunkenc::XORChunk chunk;
  int64_t chunk_min = 0, prev_t = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    int64_t t = samples[i].t;
    if (t < im.options.min_time || t >= im.options.max_time) {
      return Status::InvalidArgument(labels.ToString() + ": sample at " + std::to_string(t) + " outside the block range [" +
                                     std::to_string(im.options.min_time) + ", " + std::to_string(im.options.max_time) + ")");
    }
    if (i > 0 && t <= prev_t) {
      return Status::InvalidArgument(labels.ToString() + ": samples not in increasing time order at " + std::to_string(t));
    }
    if (cutter.Append(t) && chunk.num_samples() > 0) {
      TSDB_RETURN_IF_ERROR(im.FlushChunk(&chunk, chunk_min, prev_t));
    }
    if (chunk.num_samples() == 0) chunk_min = t;
    if (!chunk.Append(t, samples[i].v)) {  // 65535 samples: only with absurd cutting options
      TSDB_RETURN_IF_ERROR(im.FlushChunk(&chunk, chunk_min, prev_t));
      chunk_min = t;
      chunk.Append(t, samples[i].v);
    }
    prev_t = t;
  }
  TSDB_RETURN_IF_ERROR(im.FlushChunk(&chunk, chunk_min, prev_t));
  TSDB_RETURN_IF_ERROR(im.index->AddSeries(labels, im.metas).status());
  im.meta.stats.num_series++;
  im.meta.stats.num_samples += samples.size();
  im.meta.stats.num_float_samples += samples.size();
  return Status::OK();
}

Result<BlockMeta> BlockWriter::Finish() {
  Impl& im = *impl_;
  TSDB_RETURN_IF_ERROR(im.chunks->Finish());
  TSDB_RETURN_IF_ERROR(im.index->Finish());
  TSDB_RETURN_IF_ERROR(WriteTombstones(im.tmp_dir, Tombstones()));
  TSDB_RETURN_IF_ERROR(WriteMeta(im.tmp_dir, im.meta));
  TSDB_RETURN_IF_ERROR(SyncPath(im.tmp_dir + "/chunks"));
  TSDB_RETURN_IF_ERROR(SyncPath(im.tmp_dir));
  if (::rename(im.tmp_dir.c_str(), im.final_dir.c_str()) != 0) {
    return Status::IOError("renaming " + im.tmp_dir + " to " + im.final_dir + ": " + std::strerror(errno));
  }
  im.finished = true;
  TSDB_RETURN_IF_ERROR(SyncPath(im.options.parent_dir));
  return im.meta;
}

const BlockMeta& BlockWriter::meta() const { return impl_->meta; }
const std::string& BlockWriter::tmp_dir() const { return impl_->tmp_dir; }

}  // namespace tsdb::block
