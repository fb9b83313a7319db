// Percent-decoding, query strings, base64, and Event Grid's publish
// parameters (query and headers, query wins) -> MQTT PUBLISH fields.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "http/base64.hpp"
#include "http/publish_request.hpp"
#include "http/url_query.hpp"

namespace gridmq::http {
namespace {

TEST(percent_decode, decodes_and_rejects) {
  EXPECT_EQ(*percent_decode("a%2Fb%20c+d"), "a/b c d");
  EXPECT_EQ(*percent_decode("a+b", false), "a+b");
  EXPECT_EQ(*percent_decode("%c3%BC"), "\xc3\xbc");
  EXPECT_EQ(*percent_decode(""), "");
  for (const char* bad : {"%", "%2", "%zz", "a%2", "%%41"}) EXPECT_FALSE(percent_decode(bad)) << bad;
  EXPECT_EQ(percent_encode("a/b c~_.-ü"), "a%2Fb%20c~_.-%C3%BC");
  EXPECT_EQ(*percent_decode(percent_encode("x/+#?&=%")), "x/+#?&=%");
}

TEST(query, parses_pairs_in_order) {
  EXPECT_EQ(path_of("/mqtt/messages?topic=a"), "/mqtt/messages");
  EXPECT_EQ(path_of("/x"), "/x");
  auto q = parse_query("/p?topic=a%2Fb&qos=0&&flag&empty=&qos=1#frag");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 5u);
  EXPECT_EQ((*q)[0], (std::pair<std::string, std::string>{"topic", "a/b"}));
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(*find_param(*q, "qos"), "0");  // the first one
  EXPECT_EQ(find_param(*q, "nope"), nullptr);
  EXPECT_TRUE(parse_query("/p")->empty());
  EXPECT_FALSE(parse_query("/p?topic=%zz"));
}

TEST(base64, round_trips_and_rejects) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(*base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9vYg"), "foob");  // unpadded
  for (const char* bad : {"Z", "Zm9v*", "Zm 9v", "Zm9vY"}) EXPECT_FALSE(base64_decode(bad)) << bad;
}

struct fixture {
  query_params query;
  std::map<std::string, std::string> headers;
  result<publish_request, http_error> parse(std::string body = "payload") const {
    return parse_publish_request(
        query,
        [this](std::string_view n) -> const std::string* {
          auto it = headers.find(std::string(n));
          return it == headers.end() ? nullptr : &it->second;
        },
        std::move(body));
  }
};

TEST(publish_request, defaults_and_every_header) {
  fixture f{{{"topic", "a/b"}}, {}};
  auto r = f.parse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->topic, "a/b");
  EXPECT_EQ(r->qos, 1);  // Event Grid's default
  EXPECT_FALSE(r->retain);
  EXPECT_EQ(r->payload, "payload");
  f.headers = {{"mqtt-qos", "0"},
               {"mqtt-retain", "1"},
               {"mqtt-response-topic", "r%2Fx"},
               {"mqtt-correlation-data", base64_encode("id-1")},
               {"mqtt-user-properties", base64_encode(R"([{"a":"1"},{"b":"2"},{"a":"3"}])")},
               {"mqtt-message-expiry", "4294967295"},
               {"mqtt-payload-format-indicator", "1"},
               {"content-type", "text/plain"}};
  r = f.parse();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->qos, 0);
  EXPECT_TRUE(r->retain);
  EXPECT_EQ(*r->response_topic, "r/x");
  EXPECT_EQ(*r->correlation_data, "id-1");
  ASSERT_EQ(r->user_properties.size(), 3u);
  EXPECT_EQ(r->user_properties[2], (std::pair<std::string, std::string>{"a", "3"}));
  EXPECT_EQ(*r->message_expiry, 4294967295u);
  EXPECT_EQ(*r->payload_format, 1);
  EXPECT_EQ(*r->content_type, "text/plain");
}

TEST(publish_request, query_wins_over_header) {
  fixture f{{{"topic", "t"}, {"qos", "1"}, {"retain", "0"}}, {{"mqtt-qos", "0"}, {"mqtt-retain", "1"}}};
  auto r = f.parse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->qos, 1);
  EXPECT_FALSE(r->retain);
  f.query.emplace_back("mqtt-message-expiry", "5");
  f.headers["mqtt-message-expiry"] = "9";
  EXPECT_EQ(*f.parse()->message_expiry, 5u);
}

TEST(publish_request, errors_name_the_parameter) {
  const std::pair<fixture, std::string> cases[] = {
      {{{}, {}}, "topic"},
      {{{{"topic", ""}}, {}}, "topic"},
      {{{{"topic", "a/#"}}, {}}, "topic"},
      {{{{"topic", "a/+/b"}}, {}}, "topic"},
      {{{{"topic", "t"}, {"qos", "2"}}, {}}, "qos"},
      {{{{"topic", "t"}}, {{"mqtt-qos", "01"}}}, "mqtt-qos"},
      {{{{"topic", "t"}, {"retain", "2"}}, {}}, "retain"},
      {{{{"topic", "t"}}, {{"mqtt-response-topic", "a%2"}}}, "mqtt-response-topic"},
      {{{{"topic", "t"}}, {{"mqtt-response-topic", "a%2F%23"}}}, "mqtt-response-topic"},
      {{{{"topic", "t"}}, {{"mqtt-correlation-data", "!!"}}}, "mqtt-correlation-data"},
      {{{{"topic", "t"}}, {{"mqtt-user-properties", base64_encode("[1]")}}}, "mqtt-user-properties"},
      {{{{"topic", "t"}}, {{"mqtt-user-properties", base64_encode(R"([{"a":1}])")}}}, "mqtt-user-properties"},
      {{{{"topic", "t"}}, {{"mqtt-user-properties", base64_encode(R"([{"a":"1","b":"2"}])")}}}, "mqtt-user-properties"},
      {{{{"topic", "t"}}, {{"mqtt-user-properties", base64_encode("[{")}}}, "mqtt-user-properties"},
      {{{{"topic", "t"}}, {{"mqtt-message-expiry", "4294967296"}}}, "mqtt-message-expiry"},
      {{{{"topic", "t"}}, {{"mqtt-message-expiry", "1s"}}}, "mqtt-message-expiry"},
      {{{{"topic", "t"}}, {{"mqtt-payload-format-indicator", "2"}}}, "mqtt-payload-format-indicator"},
  };
  for (const auto& [f, param] : cases) {
    auto r = f.parse();
    ASSERT_FALSE(r) << param;
    EXPECT_EQ(r.error().status, 400u);
    EXPECT_EQ(r.error().parameter, param);
    EXPECT_NE(error_body(r.error()).find("\"parameter\":\"" + param + "\""), std::string::npos);
  }
}

}  // namespace
}  // namespace gridmq::http
