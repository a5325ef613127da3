// tsdb-query: PromQL over data directories and exposition text, without a
// server: instant and range queries, series and label listings.
#include <unistd.h>

#include "cli/app.h"
#include "query/query.h"

int main(int argc, char** argv) {
  tsdb::cli::App app("tsdb-query",
                     "PromQL over storage instead of a server: data directories (read-only, no lock; blocks and the\n"
                     "head rebuilt from wal/), downsampled folders, and exposition text from files or a pipe.\n"
                     "'tsdb-query EXPR' is an instant query.");
  app->require_subcommand(0, 1);
  app->fallthrough();  // the flags below also work after the subcommand
  tsdb::query::Options opt;

  app->add_option("--db", opt.db, "Data directory, block folder or downsampled folder; repeat to merge several")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app->add_option("-i,--input", opt.input, "Exposition text (Prometheus or OpenMetrics) to query; '-' for stdin")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app->add_option("--aggregate", opt.aggregate,
                  "Downsampled data: avg, count, sum, min, max or counter (counter for rate/increase)")
      ->capture_default_str();
  app->add_flag("--no-head", opt.no_head, "Blocks only: leave out the samples still in the WAL");
  app->add_option("--time", opt.time,
                  "Evaluation time of an instant query, and the time of input samples without one (default now)")
      ->type_name("TIME");
  app->add_option("-o,--format", opt.format,
                  "Output format: table, prom, json, jsonl, csv (default: table on a terminal, prom otherwise)");
  app->add_option("--name", opt.name, "Set __name__ on every output series (a recording rule's name)");
  app->add_option("--query.lookback-delta", opt.lookback_delta, "How far back an instant selector looks")
      ->capture_default_str();
  app->add_option("--query.max-samples", opt.max_samples, "Most samples a query may hold at once")
      ->capture_default_str();
  app->add_option("--query.timeout", opt.timeout, "Longest a query may run")->capture_default_str();
  app->add_option("--enable-feature", opt.features,
                  "promql-experimental-functions, promql-duration-expr, promql-binop-fill-modifiers, promql-delayed-name-removal (comma list or repeat)")
      ->type_name("FEATURE")
      ->allow_extra_args(false);
  app->add_flag("--format-query", opt.format_query, "Print the query in canonical form and exit");
  app->add_flag("--explain", opt.explain, "Print the query's syntax tree with types and exit");
  app->add_option("expr", opt.expr, "PromQL expression, evaluated as an instant query")->type_name("EXPR");

  auto* instant = app->add_subcommand("instant", "Evaluate EXPR at one time (--time; the default subcommand)");
  instant->add_option("expr", opt.expr, "PromQL expression")->required()->type_name("EXPR");

  auto* range = app->add_subcommand("range", "Evaluate EXPR at every --step from --start to --end");
  range->add_option("expr", opt.expr, "PromQL expression")->required()->type_name("EXPR");
  range->add_option("--start", opt.start, "First evaluation time (default: --end minus 5m)")->type_name("TIME");
  range->add_option("--end", opt.end, "Last evaluation time (default now)")->type_name("TIME");
  range->add_option("--step", opt.step, "Time between evaluations: 1m, or seconds (default: about 250 points)")
      ->type_name("DURATION");

  auto* series = app->add_subcommand("series", "List the series that match selectors");
  series->add_option("-m,--match", opt.match, "Series selector; repeat to OR them")
      ->required()
      ->type_name("SELECTOR")
      ->allow_extra_args(false);
  series->add_option("--start", opt.start, "Only series with samples from this time")->type_name("TIME");
  series->add_option("--end", opt.end, "Only series with samples up to this time")->type_name("TIME");

  auto* labels = app->add_subcommand("labels", "List label names, or the values of label NAME");
  labels->add_option("name", opt.label_name, "List this label's values instead of the label names")
      ->type_name("NAME");
  labels->add_option("-m,--match", opt.match, "Only series matching this selector; repeat to OR them")
      ->type_name("SELECTOR")
      ->allow_extra_args(false);
  labels->add_option("--start", opt.start, "Only series with samples from this time")->type_name("TIME");
  labels->add_option("--end", opt.end, "Only series with samples up to this time")->type_name("TIME");

  int parse_error_exit = 0;
  int status = app.Run(argc, argv, [&] {
    if (*range) opt.mode = tsdb::query::Mode::kRange;
    if (*series) opt.mode = tsdb::query::Mode::kSeries;
    if (*labels) opt.mode = tsdb::query::Mode::kLabels;
    opt.quiet = app.quiet();
    opt.stdin_is_terminal = ::isatty(0) == 1;
    return tsdb::query::Run(opt, &app.out(), &parse_error_exit);
  });
  return parse_error_exit != 0 ? parse_error_exit : status;
}
