// What an http/https listener does with a request that is not a WebSocket
// upgrade: it hands it to an http_service (implemented outside transport/;
// app/ wires the http/ module in). Asio-free.
//
// Threads: handle() is called on the connection's worker. The exchange may be
// kept and answered later from any thread (respond() posts to the worker);
// post() runs work on the connection's worker, which is where a broker
// client_port opened for the request must be used.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/client_port.hpp"

namespace gridmq::transport {

struct http_request {
  std::string method;  // "POST"
  std::string target;  // "/mqtt/messages?topic=a%2Fb", as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;

  // The first header named `name` (lower case), or null.
  const std::string* header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

struct http_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::string body;
};

class http_exchange {
 public:
  virtual ~http_exchange() = default;
  virtual const http_request& request() const = 0;
  // Peer (after PROXY protocol), listener, scheme, verified client certificate.
  virtual const broker::client_info& client() const = 0;
  // Runs `fn` on the connection's worker, or drops it if the worker stopped.
  virtual void post(std::function<void()> fn) = 0;
  // Sends the answer; call once, from any thread.
  virtual void respond(http_response response) = 0;
};

class http_service {
 public:
  virtual ~http_service() = default;
  virtual void handle(std::shared_ptr<http_exchange> exchange) = 0;
};

}  // namespace gridmq::transport
