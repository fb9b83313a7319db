#include "app/http_bridge.hpp"

namespace gridmq::app {
namespace {

class exchange_adapter final : public http::exchange {
 public:
  explicit exchange_adapter(std::shared_ptr<transport::http_exchange> x) : x_(std::move(x)) {
    const auto& r = x_->request();
    req_.method = r.method;
    req_.target = r.target;
    req_.headers = r.headers;
    req_.body = r.body;
  }

  const http::request& req() const override { return req_; }
  const broker::client_info& client() const override { return x_->client(); }
  void post(std::function<void()> fn) override { x_->post(std::move(fn)); }
  void respond(http::response r) override {
    x_->respond(transport::http_response{r.status, std::move(r.headers), std::move(r.body)});
  }

 private:
  std::shared_ptr<transport::http_exchange> x_;
  http::request req_;
};

}  // namespace

void http_bridge::handle(std::shared_ptr<transport::http_exchange> x) {
  endpoint_.handle(std::make_shared<exchange_adapter>(std::move(x)));
}

}  // namespace gridmq::app
