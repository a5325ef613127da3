# fish completion for tsdb-scrape
set -l c tsdb-scrape
complete -c $c -s h -l help -d 'Print help and exit'
complete -c $c -l version -d 'Print version and exit'
complete -c $c -l log.level -x -a 'debug info warn error' -d 'Minimum log level'
complete -c $c -l log.format -x -a 'logfmt json' -d 'Log format on stderr'
complete -c $c -s q -l quiet -d 'No progress or summary on stderr'
complete -c $c -l db -r -a '(__fish_complete_directories)' -d 'Data directory to write blocks into'
complete -c $c -l block-duration -x -a '2h 6h 1d' -d 'Length and alignment of each block'
complete -c $c -l input-format -x -a 'auto prom openmetrics' -d 'Input format'
complete -c $c -l memory-limit -x -a '64MiB 256MiB 1GiB 4GiB' -d 'Samples buffered before a sorted run is spilled'
