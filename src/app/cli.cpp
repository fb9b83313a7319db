#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#ifndef GRIDMQ_VERSION
#error "GRIDMQ_VERSION must be defined by the build"
#endif

namespace gridmq::app {

std::variant<cli_options, cli_exit> parse_cli(int argc, char** argv) {
  cli_options options;
  CLI::App cli{"gridmq: an MQTT 3.1.1 / 5.0 broker"};
  cli.set_version_flag("--version", "gridmq " GRIDMQ_VERSION);
  cli.add_option("--config", options.config_file, "TOML configuration file (default: embedded defaults)")
      ->type_name("FILE");
  cli.add_option("--listen", options.listen, "listener URL, repeatable; replaces configured listeners")
      ->type_name("URL");
  cli.add_option("--threads", options.threads, "worker threads (0: one per core)")
      ->type_name("N")
      ->check(CLI::Range(0, 1024));
  cli.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->type_name("LEVEL");
  cli.add_option("--data-dir", options.data_dir, "keep sessions and messages in DIR (RocksDB); replaces storage.data_dir")
      ->type_name("DIR");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here as "successes" and print to stdout.
    const int code = cli.exit(e);
    return cli_exit{code == 0 ? 0 : 2};
  }
  return options;
}

}  // namespace gridmq::app
