// Joins the transport's HTTP requests to the http/ module's endpoint (the
// two modules may not include each other: DESIGN.md's arrows). One per
// http/https listener, owned by server; outlives the workers.
#pragma once

#include <memory>

#include "broker/client_port.hpp"
#include "http/endpoint.hpp"
#include "transport/http_service.hpp"

namespace gridmq::app {

class http_bridge final : public transport::http_service {
 public:
  http_bridge(broker::client_acceptor& broker, http::endpoint_options options) : endpoint_(broker, std::move(options)) {}

  void handle(std::shared_ptr<transport::http_exchange> x) override;

 private:
  http::endpoint endpoint_;
};

}  // namespace gridmq::app
