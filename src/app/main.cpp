// gridmq: parse the command line and the configuration, then run the server.
// The one place start-up exceptions are caught (STYLE.md): configuration
// errors exit 2, anything else that stops the start (a listener that cannot
// bind) exits 1.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <variant>

#include "app/cli.hpp"
#include "app/logging.hpp"
#include "app/server.hpp"
#include "app/settings.hpp"
#include "config/config_error.hpp"

namespace {

constexpr int exit_start_failed = 1;
constexpr int exit_bad_config = 2;

}  // namespace

int main(int argc, char** argv) {
  using namespace gridmq;
  auto parsed = app::parse_cli(argc, argv);
  if (const auto* done = std::get_if<app::cli_exit>(&parsed)) return done->code;

  const auto& cli = std::get<app::cli_options>(parsed);
  config::config cfg;
  try {
    cfg = app::resolve_config(cli);
  } catch (const config::config_error& e) {
    std::fprintf(stderr, "gridmq: %s\n", e.what());
    return exit_bad_config;
  }

  auto log = app::make_logger(cfg.server.level);
  spdlog::set_default_logger(log);
  try {
    // SIGHUP reads the same file again, with the same command-line overrides.
    std::function<config::config()> reread;
    if (cli.config_file) reread = [cli] { return app::resolve_config(cli); };
    app::server s(cfg, *log, std::move(reread));
    return s.run();
  } catch (const std::exception& e) {
    log->critical("{}", e.what());
    return exit_start_failed;
  }
}
