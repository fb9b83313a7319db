#include "tls_link.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gridmq::bench {
namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

void load_or_throw(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + openssl_error());
}

}  // namespace

tls_config::tls_config(const tls_options& o) : server_name_(o.server_name) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) throw std::runtime_error("SSL_CTX_new: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  // The write buffer may move between a blocked SSL_write and its retry
  // (the client appends to it), and a retry may send part of it.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  if (o.insecure) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (o.ca_file.empty()) {
      load_or_throw(SSL_CTX_set_default_verify_paths(ctx_) == 1, "the system's CA certificates");
    } else {
      load_or_throw(SSL_CTX_load_verify_locations(ctx_, o.ca_file.c_str(), nullptr) == 1, "--cafile " + o.ca_file);
    }
  }
  if (!o.cert_file.empty()) {
    load_or_throw(SSL_CTX_use_certificate_chain_file(ctx_, o.cert_file.c_str()) == 1, "--cert " + o.cert_file);
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    load_or_throw(SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) == 1, "--key " + key);
  }
}

tls_config::~tls_config() { SSL_CTX_free(ctx_); }

tls_link::tls_link(const tls_config& config, int fd) : ssl_(SSL_new(config.context())) {
  if (ssl_ == nullptr) {
    error_ = openssl_error();
    return;
  }
  SSL_set_fd(ssl_, fd);
  SSL_set_connect_state(ssl_);
  if (!config.server_name().empty()) {
    SSL_set_tlsext_host_name(ssl_, config.server_name().c_str());
    SSL_set1_host(ssl_, config.server_name().c_str());
  }
}

tls_link::~tls_link() { SSL_free(ssl_); }

tls_link::step tls_link::handshake() {
  if (ssl_ == nullptr) return step::failed;
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) return step::done;
  return blocked_or_failed(r) < 0 && errno == EAGAIN ? step::again : step::failed;
}

ssize_t tls_link::read(void* buf, std::size_t len) {
  const int r = SSL_read(ssl_, buf, static_cast<int>(std::min<std::size_t>(len, 1u << 30)));
  if (r > 0) return r;
  const int e = SSL_get_error(ssl_, r);
  if (e == SSL_ERROR_ZERO_RETURN) return 0;
  if (e == SSL_ERROR_SYSCALL && errno == 0) return 0;  // EOF without close_notify
  return blocked_or_failed(r);
}

void tls_link::close_notify() noexcept {
  if (ssl_ != nullptr) (void)SSL_shutdown(ssl_);  // best effort: the socket is non-blocking
}

ssize_t tls_link::write(const void* buf, std::size_t len) {
  const int r = SSL_write(ssl_, buf, static_cast<int>(std::min<std::size_t>(len, 1u << 30)));
  if (r > 0) return r;
  return blocked_or_failed(r);
}

ssize_t tls_link::blocked_or_failed(int result) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      want_write_ = false;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      want_write_ = true;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_SYSCALL:
      if (errno == EAGAIN || errno == EINTR) return -1;
      error_ = errno != 0 ? std::string("TLS: ") + std::strerror(errno) : std::string("TLS: connection closed");
      if (errno == 0) errno = ECONNRESET;
      return -1;
    default:
      error_ = "TLS: " + openssl_error();
      errno = EPROTO;
      return -1;
  }
}

}  // namespace gridmq::bench
