// An HTTP publish request (Event Grid's POST /mqtt/messages) turned into the
// fields of an MQTT v5 PUBLISH, or a 400 that names the bad parameter.
//
// Parameters: query `topic` (required, percent-encoded); `qos` / header
// `mqtt-qos` (0 or 1, default 1); `retain` / `mqtt-retain` (0 or 1, default
// 0); headers `mqtt-response-topic` (percent-encoded), `mqtt-correlation-data`
// (base64), `mqtt-user-properties` (base64 of a JSON array of one-key
// objects), `mqtt-message-expiry` (seconds), `mqtt-payload-format-indicator`
// (0 or 1), `content-type`. A query parameter wins over the header of the
// same meaning. Total: never throws on untrusted input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "http/url_query.hpp"

namespace gridmq::http {

struct http_error {
  unsigned status = 400;
  std::string parameter;  // the query parameter or header at fault, if one is
  std::string message;
};

struct publish_request {
  std::string topic;
  std::uint8_t qos = 1;
  bool retain = false;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::vector<std::pair<std::string, std::string>> user_properties;
  std::optional<std::uint32_t> message_expiry;
  std::optional<std::uint8_t> payload_format;
  std::optional<std::string> content_type;
  std::string payload;
};

// Looks up a request header by lower-case name; null when absent.
using header_lookup = std::function<const std::string*(std::string_view)>;

result<publish_request, http_error> parse_publish_request(const query_params& query, const header_lookup& header,
                                                          std::string body);

// The JSON body of an error answer: {"error":{"code":..,"message":..,"parameter":..}}.
std::string error_body(const http_error& e);

}  // namespace gridmq::http
