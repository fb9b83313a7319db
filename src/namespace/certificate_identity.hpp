// The fields of a verified client certificate that Event Grid can take an
// authentication name from or check it against (eventgrid.md 1.3, 1.4):
// where a connection's authentication name comes from, and whether its
// certificate proves the name a client resource was registered with.
//
// Pure string rules over fields the transport extracted; no X.509 here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "namespace/client.hpp"

namespace gridmq::ns {

struct certificate_fields {
  std::string_view subject;                      // RFC 2253: "CN=device-1,O=Example"
  std::span<const std::string> subject_alt_names;  // "DNS:a.example", "URI:...", "email:...", "IP:10.0.0.1"
  std::string_view sha256_thumbprint;            // 64 uppercase hex digits
};

// Event Grid's Username plus alternativeAuthenticationNameSources, in one
// ordered list; the first source present wins.
enum class name_source : std::uint8_t {
  username,
  certificate_subject,     // the whole subject DN
  certificate_cn,          // the subject's CN only
  certificate_dns,         // the first SAN dNSName
  certificate_uri,         // the first SAN URI
  certificate_ip,          // the first SAN iPAddress
  certificate_email,       // the first SAN rfc822Name
  certificate_thumbprint,  // the SHA-256 thumbprint
};

// The subject's CN (RFC 2253 escapes undone), if it has one.
std::optional<std::string> common_name(std::string_view subject);

// The authentication name `source` gives, if present. `cert` may be null.
std::optional<std::string> name_from(name_source source, const std::optional<std::string>& username,
                                     const certificate_fields* cert);

// Whether `cert` proves `c`'s authentication name by the client's
// certificate check (names compare case-insensitively; thumbprints by value).
// certificate_check::none needs no certificate.
bool certificate_proves(const client& c, const certificate_fields* cert);

}  // namespace gridmq::ns
