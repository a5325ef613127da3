// tsdb-scrape: exposition text into a data directory. This first capability
// is bulk import: timestamped text from files or stdin becomes blocks in
// --db DIR, as `promtool tsdb create-blocks-from openmetrics` makes them.
#include "cli/app.h"
#include "importer/importer.h"

int main(int argc, char** argv) {
  tsdb::cli::App app("tsdb-scrape",
                     "Import timestamped exposition text (Prometheus text or OpenMetrics) from FILEs or stdin\n"
                     "into blocks of the data directory --db DIR, in bounded memory.");
  tsdb::importer::ImportOptions opt;
  app->add_option("files", opt.inputs, "Input files; none or - reads stdin")->type_name("FILE");
  app->add_option("--db", opt.db_dir, "Data directory to write blocks into (created if missing)")
      ->type_name("DIR")
      ->required();
  app->add_option("--block-duration", opt.block_duration, "Length of each block, aligned to multiples of it")
      ->type_name("DURATION")
      ->capture_default_str();
  app->add_option("--input-format", opt.input_format, "Input format: auto, prom or openmetrics")
      ->capture_default_str();
  app->add_option("--memory-limit", opt.memory_limit,
                  "Samples buffered in memory before a sorted run is spilled to disk")
      ->type_name("SIZE")
      ->capture_default_str();
  return app.Run(argc, argv, [&] {
    opt.quiet = app.quiet();
    return tsdb::importer::RunImport(opt);
  });
}
