// The command line of the gridmq binary.
//
// parse_cli() returns the options, or the exit code to end with at once:
// 0 after --help or --version, 2 after a usage error (message on stderr).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gridmq::app {

struct cli_options {
  std::optional<std::string> config_file;  // --config FILE
  std::vector<std::string> listen;         // --listen URL..., replaces configured listeners
  std::optional<std::uint32_t> threads;    // --threads N
  std::optional<std::string> log_level;    // --log-level LEVEL
  std::optional<std::string> data_dir;     // --data-dir DIR, replaces storage.data_dir
};

struct cli_exit {
  int code = 0;
};

std::variant<cli_options, cli_exit> parse_cli(int argc, char** argv);

}  // namespace gridmq::app
