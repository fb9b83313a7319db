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

namespace {

// 127.0.0.0/8, ::1 and "localhost": reachable from this host only.
bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

std::string require_tls_violation(const config& c) {
  if (!c.server.require_tls) return {};
  for (const auto& l : c.listeners) {
    if (uses_tls(l) || is_loopback(l.host)) continue;
    return "require_tls = true, but listener " + to_string(l) +
           " is plaintext on a non-loopback address (use mqtts, wss or https, or bind it to 127.0.0.1)";
  }
  return {};
}

std::string tls_settings_problem(const listener_settings& l) {
  if (!uses_tls(l)) return {};
  if (l.tls.cert.empty() || l.tls.key.empty()) {
    return "a " + l.scheme + " listener needs a certificate: set cert and key (in [tls] or in its [[listener]])";
  }
  if (l.tls.client_cert != client_cert_mode::none && l.tls.ca.empty()) {
    return "client_cert = optional or required needs ca (the CA bundle that signs client certificates)";
  }
  if (l.tls.min_tls != "1.2" && l.tls.min_tls != "1.3") return "min_tls must be \"1.2\" or \"1.3\"";
  return {};
}

}  // namespace gridmq::config
