// TLS for the generator's connections (--tls): OpenSSL on the client's own
// non-blocking socket, driven by the same epoll loop as plain TCP. A
// tls_link reads and writes like recv()/send(): -1 with errno EAGAIN when
// OpenSSL needs the socket to become readable or writable first, which
// wants_write() tells apart.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;

namespace gridmq::bench {

struct tls_options {
  std::string ca_file;    // verify the broker against these CAs; empty with insecure
  std::string cert_file;  // client certificate (mutual TLS), optional
  std::string key_file;
  std::string server_name;  // SNI and the name checked in the certificate; empty: none
  bool insecure = false;    // no verification of the broker's certificate
};

// One SSL_CTX for all connections of a run.
class tls_config {
 public:
  // Throws std::runtime_error naming the file that could not be used.
  explicit tls_config(const tls_options& o);
  ~tls_config();
  tls_config(const tls_config&) = delete;
  tls_config& operator=(const tls_config&) = delete;

  SSL_CTX* context() const noexcept { return ctx_; }
  const std::string& server_name() const noexcept { return server_name_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string server_name_;
};

class tls_link {
 public:
  enum class step { done, again, failed };

  tls_link(const tls_config& config, int fd);
  ~tls_link();
  tls_link(const tls_link&) = delete;
  tls_link& operator=(const tls_link&) = delete;

  // Advances the handshake; `again`: call once more when the socket is
  // ready as wants_write() says.
  step handshake();
  // As recv()/send(): bytes moved, 0 at the peer's close_notify or EOF,
  // -1 with errno (EAGAIN: retry later).
  ssize_t read(void* buf, std::size_t len);
  ssize_t write(const void* buf, std::size_t len);
  // Sends close_notify if the socket takes it now.
  void close_notify() noexcept;
  // After `again` / EAGAIN: true if OpenSSL waits for the socket to be
  // writable rather than readable.
  bool wants_write() const noexcept { return want_write_; }
  // OpenSSL's reason for the last failure.
  const std::string& error() const noexcept { return error_; }

 private:
  // Maps an SSL_* result to errno and want_write_; returns -1.
  ssize_t blocked_or_failed(int result);

  SSL* ssl_ = nullptr;
  bool want_write_ = false;
  std::string error_;
};

}  // namespace gridmq::bench
