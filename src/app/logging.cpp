#include "app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace gridmq::app {
namespace {

spdlog::level::level_enum to_spdlog(config::log_level level) {
  switch (level) {
    case config::log_level::trace:
      return spdlog::level::trace;
    case config::log_level::debug:
      return spdlog::level::debug;
    case config::log_level::info:
      return spdlog::level::info;
    case config::log_level::warn:
      return spdlog::level::warn;
    case config::log_level::error:
      return spdlog::level::err;
    case config::log_level::off:
      break;
  }
  return spdlog::level::off;
}

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(config::log_level level) {
  // Colours only when stderr is a terminal; tests read plain lines.
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  auto log = std::make_shared<spdlog::logger>("gridmq", std::move(sink));
  log->set_level(to_spdlog(level));
  // Lines must reach a reader (a test waiting for "listening on") at once.
  log->flush_on(spdlog::level::trace);
  return log;
}

}  // namespace gridmq::app
