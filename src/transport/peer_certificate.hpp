// Reads what a finished TLS handshake proved about the client, into the
// broker's Asio-free client_certificate (subject, SANs, SHA-256 thumbprint,
// verified chain). Null when the client sent no certificate.
#pragma once

#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "broker/client_port.hpp"

namespace gridmq::transport {

std::shared_ptr<const broker::client_certificate> peer_certificate(SSL* ssl);

// The SNI host name of the handshake, or "".
std::string server_name(SSL* ssl);

// Uppercase hex SHA-256 of a certificate's DER encoding.
std::string sha256_thumbprint(X509* cert);

}  // namespace gridmq::transport
