// What a TLS listener needs to know, filled by app/ from the configuration.
// Plain data, no Asio: files are read by tls_context::load().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gridmq::transport {

enum class client_cert_mode : std::uint8_t {
  none,      // not asked for
  optional,  // asked for; a certificate that does not verify fails the handshake
  required,  // a client without a verified certificate fails the handshake
};

struct sni_entry {
  std::string name;  // "broker.example.com" or "*.example.com"
  std::string cert;
  std::string key;
};

struct tls_options {
  std::string cert;  // PEM chain file, leaf first
  std::string key;   // PEM private key file
  std::string ca;    // PEM CA bundle for client certificates
  client_cert_mode client_cert = client_cert_mode::none;
  std::string ciphers;       // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  bool tls13_only = false;   // else TLS 1.2 is the minimum
  std::vector<sni_entry> sni;
};

}  // namespace gridmq::transport
