#include "http/endpoint.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "http/base64.hpp"
#include "http/flows.hpp"
#include "http/publish_request.hpp"
#include "http/url_query.hpp"

namespace gridmq::http {
namespace {

constexpr std::size_t max_page = 100;

response json_error(const http_error& e) { return {e.status, {{"Content-Type", "application/json"}}, error_body(e)}; }

response unauthorized() {
  response r = json_error({401, {}, "a bearer token or a client certificate is required"});
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

// Constant-time comparison: the token must not leak through timing.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

std::string iso8601_in(std::uint32_t seconds) {
  const std::time_t t = std::time(nullptr) + seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool is_filter(std::string_view f) {
  if (f.empty() || f.size() > 65535 || f.find('\0') != std::string_view::npos) return false;
  // [MQTT-4.7.1-1/2] '#' last and alone in its level; '+' alone in its level.
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '#' && f[i] != '+') continue;
    const bool starts = i == 0 || f[i - 1] == '/';
    const bool ends = i + 1 == f.size() || f[i + 1] == '/';
    if (!starts || !ends || (f[i] == '#' && i + 1 != f.size())) return false;
  }
  return true;
}

}  // namespace

std::string endpoint::next_client_id(const char* kind) {
  // Unique per process run: a counter plus a random tag chosen per call.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::string("http-") + kind + "-" + std::to_string(counter_.fetch_add(1)) + "-" +
         std::to_string(rng() % 1000000);
}

bool endpoint::authorized(const exchange& x) const {
  if (options_.bearer_token.empty()) return true;
  if (options_.client_certificates && x.client().certificate) return true;
  const std::string* auth = x.req().header("authorization");
  return auth != nullptr && auth->rfind("Bearer ", 0) == 0 &&
         same_secret(std::string_view(*auth).substr(7), options_.bearer_token);
}

void endpoint::handle(std::shared_ptr<exchange> x) {
  const std::string_view path = path_of(x->req().target);
  const std::string& method = x->req().method;
  const bool is_publish = path == "/mqtt/messages";
  const bool is_one = path == "/mqtt/retainedMessages/message";
  const bool is_list = path == "/mqtt/retainedMessages";
  if (!is_publish && !is_one && !is_list) return x->respond(json_error({404, {}, "no such endpoint"}));
  if ((is_publish && method != "POST") || (!is_publish && method != "GET")) {
    response r = json_error({405, {}, "method not allowed"});
    r.headers.emplace_back("Allow", is_publish ? "POST" : "GET");
    return x->respond(std::move(r));
  }
  if (!authorized(*x)) return x->respond(unauthorized());
  if (is_publish) return publish(std::move(x));
  if (is_one) return retained_one(std::move(x));
  retained_list(std::move(x));
}

void endpoint::publish(std::shared_ptr<exchange> x) {
  auto query = parse_query(x->req().target);
  if (!query) return x->respond(json_error({400, {}, query.error()}));
  const exchange& ex = *x;
  auto parsed = parse_publish_request(*query, [&ex](std::string_view n) { return ex.req().header(n); },
                                      x->req().body);
  if (!parsed) return x->respond(json_error(parsed.error()));
  auto flow = std::make_shared<publish_flow>(x, std::move(*parsed));
  if (!flow->start(broker_, next_client_id("publish"))) x->respond(json_error({500, {}, "the broker refused"}));
}

void endpoint::retained_one(std::shared_ptr<exchange> x) {
  auto query = parse_query(x->req().target);
  if (!query) return x->respond(json_error({400, {}, query.error()}));
  const std::string* topic = find_param(*query, "topic");
  if (topic == nullptr || topic->empty() || topic->find_first_of("+#") != std::string::npos) {
    return x->respond(json_error({400, "topic", "a topic name (no wildcards) is required"}));
  }
  auto flow = std::make_shared<retained_flow>(x, *topic, [x, want = *topic](std::vector<retained_message>&& found) {
    for (auto& m : found) {
      if (m.topic != want) continue;
      response r{200, {{"Content-Type", "application/octet-stream"},
                       {"x-ms-mqtt-topic", percent_encode(m.topic)},
                       {"x-ms-mqtt-qos", std::to_string(m.qos)},
                       {"x-ms-mqtt-size", std::to_string(m.payload.size())}},
                 std::move(m.payload)};
      if (m.expiry) r.headers.emplace_back("x-ms-mqtt-expiry", iso8601_in(*m.expiry));
      return x->respond(std::move(r));
    }
    x->respond(json_error({404, "topic", "no retained message on this topic"}));
  });
  if (!flow->start(broker_, next_client_id("retained"))) x->respond(json_error({500, {}, "the broker refused"}));
}

void endpoint::retained_list(std::shared_ptr<exchange> x) {
  auto query = parse_query(x->req().target);
  if (!query) return x->respond(json_error({400, {}, query.error()}));
  const std::string* filter_p = find_param(*query, "topicFilter");
  const std::string* token_p = find_param(*query, "continuationToken");
  const std::string* max_p = find_param(*query, "maxResults");
  if ((filter_p != nullptr) == (token_p != nullptr)) {
    return x->respond(json_error({400, "topicFilter", "give either topicFilter or continuationToken"}));
  }
  std::string filter, after;
  std::size_t max = max_page;
  if (token_p != nullptr) {
    // The token is ours: base64 of {"f": filter, "a": last topic, "m": page size}.
    auto text = base64_decode(*token_p);
    const auto doc = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!text || doc.is_discarded() || !doc.is_object() || !doc.contains("f") || !doc["f"].is_string() ||
        !doc.contains("a") || !doc["a"].is_string() || !doc.contains("m") || !doc["m"].is_number_unsigned()) {
      return x->respond(json_error({400, "continuationToken", "not a continuation token of this broker"}));
    }
    filter = doc["f"].get<std::string>();
    after = doc["a"].get<std::string>();
    max = std::clamp<std::size_t>(doc["m"].get<std::size_t>(), 1, max_page);
  } else {
    filter = *filter_p;
  }
  if (max_p != nullptr) {
    if (max_p->empty() || max_p->size() > 3 || max_p->find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(*max_p) < 1 || std::stoul(*max_p) > max_page) {
      return x->respond(json_error({400, "maxResults", "maxResults must be 1 to 100"}));
    }
    max = std::stoul(*max_p);
  }
  if (!is_filter(filter)) return x->respond(json_error({400, "topicFilter", "not a valid MQTT topic filter"}));
  auto flow = std::make_shared<retained_flow>(x, filter, [x, filter, after, max](std::vector<retained_message>&& found) {
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.topic < b.topic; });
    nlohmann::json items = nlohmann::json::array();
    std::string last;
    bool more = false;
    for (const auto& m : found) {
      if (!after.empty() && m.topic <= after) continue;
      if (items.size() == max) {
        more = true;
        break;
      }
      nlohmann::json item{{"topic", m.topic}, {"qos", m.qos}, {"size", m.payload.size()}};
      if (m.expiry) item["expiry"] = iso8601_in(*m.expiry);
      items.push_back(std::move(item));
      last = m.topic;
    }
    nlohmann::json body{{"retainedMessages", std::move(items)}, {"nextLink", nullptr}};
    if (more) {
      const nlohmann::json token{{"f", filter}, {"a", last}, {"m", max}};
      body["nextLink"] = "/mqtt/retainedMessages?continuationToken=" + percent_encode(base64_encode(token.dump()));
    }
    x->respond({200, {{"Content-Type", "application/json"}},
                body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
  });
  if (!flow->start(broker_, next_client_id("retained"))) x->respond(json_error({500, {}, "the broker refused"}));
}

}  // namespace gridmq::http
