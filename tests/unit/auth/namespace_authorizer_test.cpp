// Admission by the namespace's rules (eventgrid.md 1.3, 1.7, 2.4).
#include <gtest/gtest.h>

#include "auth/namespace_authorizer.hpp"

namespace gridmq::auth {
namespace {

ns::namespace_model model() {
  ns::namespace_model m;
  ns::client on;
  on.name = "dev-1";
  on.attributes["site"] = std::string("s7");
  EXPECT_FALSE(m.add_client(on));
  ns::client off;
  off.name = "dev-2";
  off.enabled = false;
  EXPECT_FALSE(m.add_client(off));
  ns::client cn;
  cn.name = "cert-1";
  cn.certificate = ns::certificate_check::cn;
  EXPECT_FALSE(m.add_client(cn));
  EXPECT_FALSE(m.add_topic_space("own", {"t/${client.attributes.site}/${client.authenticationName}"}));
  EXPECT_FALSE(m.add_permission_binding({"own-pub", "$all", "own", ns::permission::publisher}));
  return m;
}

TEST(NamespaceAuthorizer, AdmitsRegisteredEnabledClientsWithTheirGrants) {
  namespace_authorizer a(model(), {ns::name_source::username, ns::name_source::certificate_cn}, 0);
  auto d = a.admit(std::string("DEV-1"), nullptr);
  ASSERT_TRUE(d.allowed) << d.why;
  EXPECT_EQ(d.authentication_name, "dev-1");  // folded: the key sessions are counted by
  ASSERT_TRUE(d.grants);
  EXPECT_TRUE(d.grants->may_publish("t/s7/dev-1"));
  EXPECT_FALSE(d.grants->may_publish("t/s7/dev-2"));

  EXPECT_FALSE(a.admit(std::string("nobody"), nullptr).allowed);
  EXPECT_FALSE(a.admit(std::string("dev-2"), nullptr).allowed);  // disabled
  EXPECT_FALSE(a.admit(std::nullopt, nullptr).allowed);          // no name at all
  EXPECT_FALSE(a.admit(std::string("cert-1"), nullptr).allowed);  // its CN check needs a certificate

  std::vector<std::string> sans;
  ns::certificate_fields cert{"CN=cert-1,O=x", sans, std::string(64, 'A')};
  auto c = a.admit(std::nullopt, &cert);  // the CN names it
  EXPECT_TRUE(c.allowed) << c.why;
  EXPECT_EQ(c.authentication_name, "cert-1");
}

TEST(NamespaceAuthorizer, EmptyModelRestrictsNothingButNamesSessions) {
  namespace_authorizer a(ns::namespace_model{}, {ns::name_source::username}, 2);
  auto d = a.admit(std::string("Alice"), nullptr);
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.grants);
  EXPECT_EQ(d.authentication_name, "alice");
  EXPECT_TRUE(a.admit(std::nullopt, nullptr).allowed);
  EXPECT_EQ(a.max_sessions(), 2u);
}

}  // namespace
}  // namespace gridmq::auth
