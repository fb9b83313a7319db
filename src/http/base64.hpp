// Base64 (RFC 4648 section 4, with padding) for Event Grid's
// mqtt-correlation-data and mqtt-user-properties headers and for the
// retained API's continuation tokens. decode() is strict and total.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace gridmq::http {

std::string base64_encode(std::string_view data);
// Accepts padded input, and unpadded input whose length allows it; rejects
// any character outside the alphabet.
result<std::string, std::string> base64_decode(std::string_view text);

}  // namespace gridmq::http
