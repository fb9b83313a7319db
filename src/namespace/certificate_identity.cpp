#include "namespace/certificate_identity.hpp"

#include <algorithm>

#include "namespace/names.hpp"

namespace gridmq::ns {
namespace {

// The SAN values with `prefix` ("DNS:"), in certificate order.
template <class F>
bool for_each_san(const certificate_fields& cert, std::string_view prefix, F&& f) {
  for (const auto& san : cert.subject_alt_names) {
    if (san.size() > prefix.size() && std::string_view(san).substr(0, prefix.size()) == prefix) {
      if (f(std::string_view(san).substr(prefix.size()))) return true;
    }
  }
  return false;
}

std::optional<std::string> first_san(const certificate_fields& cert, std::string_view prefix) {
  std::optional<std::string> out;
  for_each_san(cert, prefix, [&](std::string_view v) {
    out = std::string(v);
    return true;
  });
  return out;
}

std::string_view san_prefix(certificate_check check) {
  switch (check) {
    case certificate_check::dns: return "DNS:";
    case certificate_check::uri: return "URI:";
    case certificate_check::ip: return "IP:";
    case certificate_check::email: return "email:";
    default: return {};
  }
}

}  // namespace

std::optional<std::string> common_name(std::string_view subject) {
  // RFC 2253: attributes separated by unescaped ',' (or '+' inside one RDN);
  // '\' escapes the next character.
  std::size_t i = 0;
  while (i < subject.size()) {
    std::string type;
    while (i < subject.size() && subject[i] != '=') type.push_back(subject[i++]);
    if (i == subject.size()) return std::nullopt;
    ++i;  // '='
    std::string value;
    while (i < subject.size() && subject[i] != ',' && subject[i] != '+') {
      if (subject[i] == '\\' && i + 1 < subject.size()) ++i;
      value.push_back(subject[i++]);
    }
    ++i;  // separator
    if (fold_case(type) == "cn") return value;
  }
  return std::nullopt;
}

std::optional<std::string> name_from(name_source source, const std::optional<std::string>& username,
                                     const certificate_fields* cert) {
  if (source == name_source::username) return username && !username->empty() ? username : std::nullopt;
  if (cert == nullptr) return std::nullopt;
  switch (source) {
    case name_source::certificate_subject:
      return cert->subject.empty() ? std::nullopt : std::optional<std::string>(cert->subject);
    case name_source::certificate_cn: return common_name(cert->subject);
    case name_source::certificate_dns: return first_san(*cert, "DNS:");
    case name_source::certificate_uri: return first_san(*cert, "URI:");
    case name_source::certificate_ip: return first_san(*cert, "IP:");
    case name_source::certificate_email: return first_san(*cert, "email:");
    case name_source::certificate_thumbprint:
      return cert->sha256_thumbprint.empty() ? std::nullopt : std::optional<std::string>(cert->sha256_thumbprint);
    case name_source::username: break;
  }
  return std::nullopt;
}

bool certificate_proves(const client& c, const certificate_fields* cert) {
  if (c.certificate == certificate_check::none) return true;
  if (cert == nullptr) return false;
  const std::string want = fold_case(c.authentication_name.empty() ? c.name : c.authentication_name);
  switch (c.certificate) {
    case certificate_check::subject: return fold_case(cert->subject) == want;
    case certificate_check::cn: {
      auto cn = common_name(cert->subject);
      return cn && fold_case(*cn) == want;
    }
    case certificate_check::thumbprint:
      return std::any_of(c.allowed_thumbprints.begin(), c.allowed_thumbprints.end(),
                         [&](const std::string& t) { return fold_case(t) == fold_case(cert->sha256_thumbprint); });
    case certificate_check::none: return true;
    default:
      return for_each_san(*cert, san_prefix(c.certificate), [&](std::string_view v) { return fold_case(v) == want; });
  }
}

}  // namespace gridmq::ns
