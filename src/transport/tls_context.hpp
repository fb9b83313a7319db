// The server-side TLS configuration of one listener, built from files.
//
// One SSL_CTX for the default certificate and one per SNI entry, all with
// the same protocol floor, ciphers and client-certificate rules; a
// servername callback switches a handshake to the entry whose name matches.
//
// Lifecycle: load() reads every file (throws std::runtime_error naming the
// file and OpenSSL's reason; start-up and SIGHUP only). The object is
// immutable afterwards and shared: each TLS connection keeps the snapshot it
// started with, so a reload never disturbs live connections.
// Threads: any; OpenSSL's SSL_CTX is safe to share once configured.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transport/ssl.hpp"
#include "transport/tls_options.hpp"

namespace gridmq::transport {

class tls_context {
 public:
  static std::shared_ptr<const tls_context> load(const tls_options& options);

  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;
  ~tls_context();

  // The context new streams are created with (it selects SNI entries itself).
  asio::ssl::context& context() const noexcept { return *main_; }
  // SHA-256 of the default certificate, for the log line of a (re)load.
  const std::string& fingerprint() const noexcept { return fingerprint_; }

 private:
  tls_context() = default;
  static int on_server_name(SSL* ssl, int* alert, void* arg);
  SSL_CTX* match(std::string_view host) const;

  std::unique_ptr<asio::ssl::context> main_;
  std::vector<std::pair<std::string, std::unique_ptr<asio::ssl::context>>> sni_;
  std::string fingerprint_;
};

}  // namespace gridmq::transport
