// Authentication names from certificate fields and the certificate checks
// of a client (eventgrid.md 1.3, 1.4: alternativeAuthenticationNameSources,
// validationScheme).
#include <gtest/gtest.h>

#include "namespace/certificate_identity.hpp"

namespace gridmq::ns {
namespace {

const std::vector<std::string> sans{"DNS:dev-1.example", "DNS:second.example", "URI:urn:x:dev-1", "email:d@example.com",
                                    "IP:10.0.0.7"};
const std::string thumb(64, 'A');
const certificate_fields cert{"CN=Dev-1,O=Example\\, Inc.", sans, thumb};

TEST(CertificateIdentity, CommonNameFromRfc2253) {
  EXPECT_EQ(common_name("CN=device-1,O=gridmq tests"), "device-1");
  EXPECT_EQ(common_name("O=Example\\, Inc.,CN=a\\,b"), "a,b");  // escapes undone, CN not first
  EXPECT_EQ(common_name("O=Example"), std::nullopt);
  EXPECT_EQ(common_name(""), std::nullopt);
}

TEST(CertificateIdentity, NameSources) {
  std::optional<std::string> user = "alice";
  std::optional<std::string> none;
  EXPECT_EQ(name_from(name_source::username, user, &cert), "alice");
  EXPECT_EQ(name_from(name_source::username, none, &cert), std::nullopt);
  EXPECT_EQ(name_from(name_source::certificate_subject, none, &cert), cert.subject);
  EXPECT_EQ(name_from(name_source::certificate_cn, none, &cert), "Dev-1");
  EXPECT_EQ(name_from(name_source::certificate_dns, none, &cert), "dev-1.example");  // the first dNSName
  EXPECT_EQ(name_from(name_source::certificate_uri, none, &cert), "urn:x:dev-1");
  EXPECT_EQ(name_from(name_source::certificate_ip, none, &cert), "10.0.0.7");
  EXPECT_EQ(name_from(name_source::certificate_email, none, &cert), "d@example.com");
  EXPECT_EQ(name_from(name_source::certificate_thumbprint, none, &cert), thumb);
  EXPECT_EQ(name_from(name_source::certificate_cn, user, nullptr), std::nullopt);
}

TEST(CertificateIdentity, ChecksProveTheAuthenticationName) {
  client c;
  c.name = "c1";
  c.authentication_name = "dev-1";
  EXPECT_TRUE(certificate_proves(c, nullptr));  // none: nothing to prove
  c.certificate = certificate_check::cn;
  EXPECT_TRUE(certificate_proves(c, &cert));    // case-insensitive, like authentication names
  EXPECT_FALSE(certificate_proves(c, nullptr));
  c.certificate = certificate_check::dns;
  EXPECT_FALSE(certificate_proves(c, &cert));   // no SAN "dev-1"
  c.authentication_name = "SECOND.example";
  EXPECT_TRUE(certificate_proves(c, &cert));    // any dNSName may prove it
  c.certificate = certificate_check::thumbprint;
  c.allowed_thumbprints = {std::string(64, 'B'), thumb};
  EXPECT_TRUE(certificate_proves(c, &cert));
  c.allowed_thumbprints = {std::string(64, 'B')};
  EXPECT_FALSE(certificate_proves(c, &cert));
}

}  // namespace
}  // namespace gridmq::ns
