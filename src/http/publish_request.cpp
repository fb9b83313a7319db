#include "http/publish_request.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "http/base64.hpp"

namespace gridmq::http {
namespace {

using parse_result = result<publish_request, http_error>;

http_error bad(std::string parameter, std::string message) { return {400, std::move(parameter), std::move(message)}; }

// The query parameter if present, else the header; `name` says which one was used.
const std::string* pick(const query_params& query, const header_lookup& header, std::string_view query_name,
                        std::string_view header_name, std::string& name) {
  if (!query_name.empty()) {
    if (const std::string* v = find_param(query, query_name)) {
      name = query_name;
      return v;
    }
  }
  // Header names also work as query parameters: the query still wins.
  if (const std::string* v = find_param(query, header_name)) {
    name = header_name;
    return v;
  }
  name = header_name;
  return header(header_name);
}

std::optional<bool> parse_flag(std::string_view v) {
  if (v == "0" || v == "false") return false;
  if (v == "1" || v == "true") return true;
  return std::nullopt;
}

std::optional<std::uint32_t> parse_u32(std::string_view v) {
  std::uint32_t out = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return out;
}

// An MQTT topic name: not empty, no wildcards ([MQTT-3.3.2-2]), no NUL.
bool is_topic_name(std::string_view t) {
  return !t.empty() && t.size() <= 65535 && t.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos;
}

result<std::vector<std::pair<std::string, std::string>>, std::string> parse_user_properties(std::string_view b64) {
  auto text = base64_decode(b64);
  if (!text) return unexpected{"not base64: " + text.error()};
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return unexpected{std::string("expected a JSON array of one-key objects")};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : doc) {
    if (!item.is_object() || item.size() != 1 || !item.begin().value().is_string()) {
      return unexpected{std::string("every element must be an object with one string value")};
    }
    out.emplace_back(item.begin().key(), item.begin().value().get<std::string>());
  }
  return out;
}

}  // namespace

parse_result parse_publish_request(const query_params& query, const header_lookup& header, std::string body) {
  publish_request r;
  const std::string* topic = find_param(query, "topic");
  if (topic == nullptr) return unexpected{bad("topic", "the topic query parameter is required")};
  if (!is_topic_name(*topic)) return unexpected{bad("topic", "not a valid MQTT topic name (empty, or + or #)")};
  r.topic = *topic;

  std::string name;
  if (const std::string* v = pick(query, header, "qos", "mqtt-qos", name)) {
    if (*v != "0" && *v != "1") return unexpected{bad(name, "QoS must be 0 or 1")};
    r.qos = static_cast<std::uint8_t>((*v)[0] - '0');
  }
  if (const std::string* v = pick(query, header, "retain", "mqtt-retain", name)) {
    const auto flag = parse_flag(*v);
    if (!flag) return unexpected{bad(name, "retain must be 0 or 1")};
    r.retain = *flag;
  }
  if (const std::string* v = pick(query, header, {}, "mqtt-response-topic", name)) {
    auto t = percent_decode(*v, false);
    if (!t || !is_topic_name(*t)) return unexpected{bad(name, "not a valid percent-encoded topic name")};
    r.response_topic = std::move(*t);
  }
  if (const std::string* v = pick(query, header, {}, "mqtt-correlation-data", name)) {
    auto data = base64_decode(*v);
    if (!data) return unexpected{bad(name, "expected base64: " + data.error())};
    r.correlation_data = std::move(*data);
  }
  if (const std::string* v = pick(query, header, {}, "mqtt-user-properties", name)) {
    auto props = parse_user_properties(*v);
    if (!props) return unexpected{bad(name, props.error())};
    r.user_properties = std::move(*props);
  }
  if (const std::string* v = pick(query, header, {}, "mqtt-message-expiry", name)) {
    const auto seconds = parse_u32(*v);
    if (!seconds) return unexpected{bad(name, "expected seconds from 0 to 4294967295")};
    r.message_expiry = *seconds;
  }
  if (const std::string* v = pick(query, header, {}, "mqtt-payload-format-indicator", name)) {
    if (*v != "0" && *v != "1") return unexpected{bad(name, "payload format indicator must be 0 or 1")};
    r.payload_format = static_cast<std::uint8_t>((*v)[0] - '0');
  }
  if (const std::string* v = pick(query, header, {}, "content-type", name)) r.content_type = *v;
  r.payload = std::move(body);
  return r;
}

std::string error_body(const http_error& e) {
  nlohmann::json j;
  const char* code = e.status == 400   ? "BadRequest"
                     : e.status == 401 ? "Unauthorized"
                     : e.status == 403 ? "Forbidden"
                     : e.status == 404 ? "NotFound"
                     : e.status == 405 ? "MethodNotAllowed"
                     : e.status == 413 ? "PayloadTooLarge"
                     : e.status == 429 ? "TooManyRequests"
                                       : "InternalServerError";
  j["error"]["code"] = code;
  j["error"]["message"] = e.message;
  if (!e.parameter.empty()) j["error"]["parameter"] = e.parameter;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gridmq::http
