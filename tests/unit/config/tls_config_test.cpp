// [tls], per-listener TLS/WebSocket/HTTP keys, [[listener.sni]] and
// [server] require_tls: values, inheritance and file:line:key errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/loader.hpp"

namespace gridmq::config {
namespace {

std::string error_of(const std::string& text) {
  try {
    load_string(text, "gridmq.toml");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

// Certificate files only need to exist for the loader; their content is the
// transport's business.
class tls_config : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir();
    cert_ = dir_ + "/tls_config_cert.pem";
    key_ = dir_ + "/tls_config_key.pem";
    std::ofstream(cert_) << "x";
    std::ofstream(key_) << "x";
  }
  void TearDown() override {
    std::remove(cert_.c_str());
    std::remove(key_.c_str());
  }
  std::string dir_, cert_, key_;
};

TEST_F(tls_config, tls_section_is_the_default_of_every_listener) {
  const config c = load_string("[tls]\ncert = \"" + cert_ + "\"\nkey = \"" + key_ +
                                   "\"\nca = \"" + cert_ + "\"\nclient_cert = \"optional\"\nmin_tls = \"1.3\"\n"
                                   "[[listener]]\nurl = \"mqtts://0.0.0.0:8883\"\n"
                                   "[[listener]]\nurl = \"wss://0.0.0.0:443\"\nclient_cert = \"required\"\n"
                                   "path = \"/ws\"\nproxy_protocol = true\n"
                                   "[[listener]]\nurl = \"https://0.0.0.0:8443\"\nbearer_token = \"s3cret\"\n"
                                   "[[listener.sni]]\nname = \"a.example\"\ncert = \"" + cert_ + "\"\nkey = \"" +
                                   key_ + "\"\n",
                               "gridmq.toml");
  ASSERT_EQ(c.listeners.size(), 3u);
  EXPECT_EQ(to_string(c.listeners[0]), "mqtts://0.0.0.0:8883");
  EXPECT_EQ(c.listeners[0].tls.cert, cert_);
  EXPECT_EQ(c.listeners[0].tls.client_cert, client_cert_mode::optional);
  EXPECT_EQ(c.listeners[0].tls.min_tls, "1.3");
  EXPECT_EQ(c.listeners[0].path, "/mqtt");
  EXPECT_EQ(c.listeners[1].tls.client_cert, client_cert_mode::required);
  EXPECT_EQ(c.listeners[1].path, "/ws");
  EXPECT_TRUE(c.listeners[1].proxy_protocol);
  EXPECT_EQ(c.listeners[2].bearer_token, "s3cret");
  ASSERT_EQ(c.listeners[2].tls.sni.size(), 1u);
  EXPECT_EQ(c.listeners[2].tls.sni[0].name, "a.example");
  EXPECT_TRUE(c.listeners[0].tls.sni.empty());
}

TEST_F(tls_config, errors_name_file_line_and_key) {
  EXPECT_EQ(error_of("[[listener]]\nurl = \"mqtts://h:1\"\n").rfind("gridmq.toml:1: listener[0].cert: ", 0), 0u)
      << error_of("[[listener]]\nurl = \"mqtts://h:1\"\n");
  EXPECT_EQ(error_of("[tls]\ncert = \"/nonexistent/x.pem\"\n").rfind("gridmq.toml:2: tls.cert: cannot open", 0), 0u);
  EXPECT_EQ(error_of("[tls]\nmin_tls = \"1.1\"\n").rfind("gridmq.toml:2: tls.min_tls: ", 0), 0u);
  EXPECT_EQ(error_of("[tls]\nclient_cert = \"maybe\"\n").rfind("gridmq.toml:2: tls.client_cert: expected one of", 0),
            0u);
  const std::string no_ca = "[tls]\ncert = \"" + cert_ + "\"\nkey = \"" + key_ +
                            "\"\n[[listener]]\nurl = \"mqtts://h:1\"\nclient_cert = \"required\"\n";
  EXPECT_NE(error_of(no_ca).find("listener[0].cert: client_cert = optional or required needs ca"), std::string::npos)
      << error_of(no_ca);
  EXPECT_EQ(error_of("[[listener]]\nurl = \"ws://h:1\"\npath = \"mqtt\"\n").rfind("gridmq.toml:3: listener[0].path: ", 0),
            0u);
  EXPECT_EQ(error_of("[[listener]]\nurl = \"ws://h:1\"\nsni = 1\n").rfind("gridmq.toml:3: listener[0].sni: ", 0), 0u);
  EXPECT_EQ(error_of("[server]\nrequire_tls = 1\n").rfind("gridmq.toml:2: server.require_tls: ", 0), 0u);
}

TEST(require_tls, refuses_plaintext_on_a_public_address_only) {
  config c = load_string("[server]\nrequire_tls = true\n[[listener]]\nurl = \"mqtt://127.0.0.1:1883\"\n"
                         "[[listener]]\nurl = \"ws://[::1]:80\"\n[[listener]]\nurl = \"http://localhost:80\"\n",
                         "gridmq.toml");
  EXPECT_EQ(require_tls_violation(c), "");
  c.listeners.push_back(listener_url{"mqtt", "0.0.0.0", 1883});
  EXPECT_NE(require_tls_violation(c).find("mqtt://0.0.0.0:1883 is plaintext"), std::string::npos);
  c.server.require_tls = false;
  EXPECT_EQ(require_tls_violation(c), "");
}

}  // namespace
}  // namespace gridmq::config
