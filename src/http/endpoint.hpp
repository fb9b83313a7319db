// The HTTP API of an http/https listener (Event Grid compatible):
//
//   POST /mqtt/messages?topic=..                        publish (204)
//   GET  /mqtt/retainedMessages/message?topic=..        one retained message (200, 404)
//   GET  /mqtt/retainedMessages?topicFilter=..&maxResults=1..100
//   GET  /mqtt/retainedMessages?continuationToken=..    list, paged by topic
//
// Until the identity issue lands, a listener-level guard applies: with a
// bearer_token set, a request needs "Authorization: Bearer <token>" or (on an
// https listener with client_cert = optional) a verified client certificate,
// else 401; client_cert = required is enforced by the TLS handshake itself;
// without a token, requests are anonymous (like MQTT clients under
// allow_anonymous). HTTP Basic credentials become the CONNECT's username and
// password, so [[auth.users]] applies as for MQTT clients. Every call goes through a broker client_port
// (broker_client), so broker rules apply as for MQTT clients.
//
// Threads: handle() on the HTTP connection's worker; any number of
// listeners' endpoints may share one broker.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/client_port.hpp"
#include "http/exchange.hpp"

namespace gridmq::http {

struct endpoint_options {
  std::string bearer_token;           // empty: no guard
  bool client_certificates = false;   // with a token set, a verified client certificate also passes
  std::string listener;               // for client ids and logs
};

class endpoint {
 public:
  endpoint(broker::client_acceptor& broker, endpoint_options options)
      : broker_(broker), options_(std::move(options)) {}

  void handle(std::shared_ptr<exchange> x);

 private:
  bool authorized(const exchange& x) const;
  void publish(std::shared_ptr<exchange> x);
  void retained_one(std::shared_ptr<exchange> x);
  void retained_list(std::shared_ptr<exchange> x);
  std::string next_client_id(const char* kind);

  broker::client_acceptor& broker_;
  endpoint_options options_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace gridmq::http
