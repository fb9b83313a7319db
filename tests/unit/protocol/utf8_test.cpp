// UTF-8 rules for MQTT strings ([MQTT-1.5.4-1..3]).
#include <string>

#include "protocol/validate.hpp"
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

struct utf8_case {
  const char* name;
  std::string text;
  bool valid;
};

TEST(Utf8, Cases) {
  const utf8_case cases[] = {
      {"empty", "", true},
      {"ascii", "sensors/room-1/temp", true},
      {"long ascii (word path)", std::string(100, 'a'), true},
      {"2-byte e-acute", "caf\xC3\xA9", true},
      {"3-byte euro", "\xE2\x82\xAC", true},
      {"4-byte U+1F600", "\xF0\x9F\x98\x80", true},
      {"max code point U+10FFFF", "\xF4\x8F\xBF\xBF", true},
      {"U+FEFF BOM is kept ([MQTT-1.5.4-3])", "\xEF\xBB\xBF" "a", true},
      {"U+0001 control is allowed (SHOULD NOT only)", "\x01", true},
      {"U+0000", std::string("a\0b", 3), false},
      {"U+0000 inside a long ascii run", std::string("abcdefgh\0ijklmnop", 17), false},
      {"overlong '/' (C0 AF)", "\xC0\xAF", false},
      {"overlong U+0000 (C0 80)", "\xC0\x80", false},
      {"overlong 3-byte (E0 80 AF)", "\xE0\x80\xAF", false},
      {"overlong 4-byte (F0 80 80 AF)", "\xF0\x80\x80\xAF", false},
      {"surrogate U+D800", "\xED\xA0\x80", false},
      {"surrogate U+DFFF", "\xED\xBF\xBF", false},
      {"U+D7FF just below surrogates", "\xED\x9F\xBF", true},
      {"U+E000 just above surrogates", "\xEE\x80\x80", true},
      {"beyond U+10FFFF", "\xF4\x90\x80\x80", false},
      {"F5 lead byte", "\xF5\x80\x80\x80", false},
      {"FF byte", "\xFF", false},
      {"lone continuation byte", "\x80", false},
      {"truncated 2-byte", "\xC3", false},
      {"truncated 3-byte", "\xE2\x82", false},
      {"truncated 4-byte", "\xF0\x9F\x98", false},
      {"bad continuation", "\xE2\x28\xA1", false},
      {"valid then invalid after 8 ascii", "abcdefgh\xC3", false},
  };
  for (const utf8_case& c : cases) EXPECT_EQ(is_valid_mqtt_utf8(c.text), c.valid) << c.name;
}

TEST(Utf8, HasWildcard) {
  EXPECT_FALSE(has_wildcard("a/b/c"));
  EXPECT_TRUE(has_wildcard("a/+/c"));
  EXPECT_TRUE(has_wildcard("a/#"));
}

}  // namespace
}  // namespace gridmq::protocol::test
