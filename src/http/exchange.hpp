// One HTTP request as the http/ module sees it, and how to answer it.
// Implemented by app/ over the transport's http_exchange (http/ may not
// include transport/); the shapes match.
//
// Threads: the endpoint is called on the HTTP connection's worker; post()
// runs work there (where a broker client_port opened for the request must be
// used); respond() may be called from any thread, once.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/client_port.hpp"

namespace gridmq::http {

struct request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;

  const std::string* header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

struct response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class exchange {
 public:
  virtual ~exchange() = default;
  virtual const request& req() const = 0;
  virtual const broker::client_info& client() const = 0;
  virtual void post(std::function<void()> fn) = 0;
  virtual void respond(response r) = 0;
};

}  // namespace gridmq::http
