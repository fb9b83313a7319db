// Request targets: the path, percent-decoding and the query string
// (RFC 3986 2.1, and application/x-www-form-urlencoded's '+' for space).
// Total functions: any input gives a value or an error message.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"

namespace gridmq::http {

using query_params = std::vector<std::pair<std::string, std::string>>;

// "%2F" -> "/"; a '%' not followed by two hex digits is an error.
result<std::string, std::string> percent_decode(std::string_view text, bool plus_is_space = true);
std::string percent_encode(std::string_view text);  // everything but RFC 3986 unreserved characters

// "/mqtt/messages?topic=a%2Fb" -> "/mqtt/messages"
std::string_view path_of(std::string_view target);

// The decoded name=value pairs of the target's query, in order; a name
// without '=' has an empty value.
result<query_params, std::string> parse_query(std::string_view target);

// The value of the first parameter `name`, or null.
const std::string* find_param(const query_params& params, std::string_view name);

}  // namespace gridmq::http
