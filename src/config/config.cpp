#include "config/config.hpp"

#include <array>
#include <utility>

namespace gridmq::config {
namespace {

constexpr std::array<std::pair<std::string_view, log_level>, 6> level_names{{
    {"trace", log_level::trace},
    {"debug", log_level::debug},
    {"info", log_level::info},
    {"warn", log_level::warn},
    {"error", log_level::error},
    {"off", log_level::off},
}};

}  // namespace

result<log_level, std::string> parse_log_level(std::string_view text) {
  for (const auto& [name, level] : level_names) {
    if (name == text) return level;
  }
  return unexpected{std::string("expected one of trace, debug, info, warn, error, off")};
}

std::string_view to_string(log_level level) {
  for (const auto& [name, value] : level_names) {
    if (value == level) return name;
  }
  return "info";
}

}  // namespace gridmq::config
