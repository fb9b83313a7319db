#include "transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "transport/peer_certificate.hpp"

namespace gridmq::transport {
namespace {

// Resumed sessions must belong to this server (OpenSSL refuses to resume a
// session with client verification on unless a context id is set).
constexpr unsigned char session_id_context[] = "gridmq";

[[noreturn]] void fail(const std::string& what, const std::string& file, const error_code& ec) {
  throw std::runtime_error(what + " " + file + ": " + ec.message());
}

[[noreturn]] void fail_openssl(const std::string& what) {
  const unsigned long e = ERR_get_error();
  char reason[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(what + ": " + reason);
}

std::unique_ptr<asio::ssl::context> make_context(const tls_options& o, const std::string& cert, const std::string& key) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* h = ctx->native_handle();
  // TLS 1.0 and 1.1 are deprecated (RFC 8996).
  if (SSL_CTX_set_min_proto_version(h, o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION) != 1) {
    fail_openssl("cannot set the minimum TLS version");
  }
  SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) fail("cannot load certificate chain", cert, ec);
  ctx->use_private_key_file(key, asio::ssl::context::pem, ec);
  if (ec) fail("cannot load private key", key, ec);
  if (SSL_CTX_check_private_key(h) != 1) fail_openssl("private key " + key + " does not match certificate " + cert);
  if (!o.ciphers.empty() && SSL_CTX_set_cipher_list(h, o.ciphers.c_str()) != 1) {
    fail_openssl("invalid ciphers \"" + o.ciphers + "\"");
  }
  if (!o.ciphersuites.empty() && SSL_CTX_set_ciphersuites(h, o.ciphersuites.c_str()) != 1) {
    fail_openssl("invalid ciphersuites \"" + o.ciphersuites + "\"");
  }
  SSL_CTX_set_session_id_context(h, session_id_context, sizeof session_id_context - 1);
  if (o.client_cert == client_cert_mode::none) {
    ctx->set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }
  ctx->load_verify_file(o.ca, ec);
  if (ec) fail("cannot load CA bundle", o.ca, ec);
  // The CA names go into the CertificateRequest, so a client holding several
  // certificates can pick the one this listener trusts.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca.c_str());
  if (names == nullptr) fail_openssl("cannot read CA names from " + o.ca);
  SSL_CTX_set_client_CA_list(h, names);
  ctx->set_verify_mode(o.client_cert == client_cert_mode::required
                           ? asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert
                           : asio::ssl::verify_peer);
  return ctx;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "*.example.com" matches exactly one label in front of ".example.com".
bool name_matches(std::string_view pattern, std::string_view host) {
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    const std::string_view suffix = pattern.substr(1);
    if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) return false;
    return host.substr(0, host.size() - suffix.size()).find('.') == std::string_view::npos;
  }
  return pattern == host;
}

}  // namespace

std::shared_ptr<const tls_context> tls_context::load(const tls_options& options) {
  std::shared_ptr<tls_context> t(new tls_context());
  t->main_ = make_context(options, options.cert, options.key);
  for (const auto& entry : options.sni) {
    t->sni_.emplace_back(lower(entry.name), make_context(options, entry.cert, entry.key));
  }
  if (!t->sni_.empty()) {
    SSL_CTX* h = t->main_->native_handle();
    SSL_CTX_set_tlsext_servername_callback(h, &tls_context::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(h, t.get());
  }
  t->fingerprint_ = sha256_thumbprint(SSL_CTX_get0_certificate(t->main_->native_handle()));
  return t;
}

tls_context::~tls_context() = default;

SSL_CTX* tls_context::match(std::string_view host) const {
  const std::string name = lower(host);
  for (const auto& [pattern, ctx] : sni_) {
    if (name_matches(pattern, name)) return ctx->native_handle();
  }
  return nullptr;
}

int tls_context::on_server_name(SSL* ssl, int*, void* arg) {
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (host == nullptr) return SSL_TLSEXT_ERR_OK;  // no SNI: the default certificate
  if (SSL_CTX* ctx = static_cast<const tls_context*>(arg)->match(host)) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;  // an unknown name also gets the default certificate
}

}  // namespace gridmq::transport
