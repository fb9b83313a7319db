#include "transport/peer_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

namespace gridmq::transport {
namespace {

struct bio_deleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

std::string drain(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string subject_of(X509* cert) {
  bio_ptr b(BIO_new(BIO_s_mem()));
  if (!b || X509_NAME_print_ex(b.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) return {};
  return drain(b.get());
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  const int n = ASN1_STRING_length(ip);
  char buf[64];
  if (n == 4) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    return buf;
  }
  std::string out;
  for (int i = 0; i + 1 < n; i += 2) {
    std::snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (p[i] << 8) | p[i + 1]);
    out += buf;
  }
  return out;
}

std::string asn1_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::vector<std::string> alt_names_of(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    switch (g->type) {
      case GEN_DNS: out.push_back("DNS:" + asn1_text(g->d.dNSName)); break;
      case GEN_URI: out.push_back("URI:" + asn1_text(g->d.uniformResourceIdentifier)); break;
      case GEN_EMAIL: out.push_back("email:" + asn1_text(g->d.rfc822Name)); break;
      case GEN_IPADD: out.push_back("IP:" + ip_text(g->d.iPAddress)); break;
      default: break;
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string pem_of(X509* cert) {
  bio_ptr b(BIO_new(BIO_s_mem()));
  if (!b || PEM_write_bio_X509(b.get(), cert) != 1) return {};
  return drain(b.get());
}

}  // namespace

std::string sha256_thumbprint(X509* cert) {
  if (cert == nullptr) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 0xF]);
  }
  return out;
}

std::shared_ptr<const broker::client_certificate> peer_certificate(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  // Only a certificate that verified: in optional mode OpenSSL would fail
  // the handshake on a bad one, but check rather than assume.
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return nullptr;
  auto out = std::make_shared<broker::client_certificate>();
  out->subject = subject_of(cert);
  out->subject_alt_names = alt_names_of(cert);
  out->sha256_thumbprint = sha256_thumbprint(cert);
  if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) out->chain_pem.push_back(pem_of(sk_X509_value(chain, i)));
  }
  return out;
}

std::string server_name(SSL* ssl) {
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return host != nullptr ? std::string(host) : std::string();
}

}  // namespace gridmq::transport
