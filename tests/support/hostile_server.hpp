// A server on 127.0.0.1 that misbehaves on purpose, over plain TCP or TLS, for tests of the
// client's limits and timeouts: a response announcing 1 GiB, headers that never end, a chunked
// body that never ends, a valid response trickled one byte at a time, a plain HTTP server
// answering a TLS ClientHello, and TLS servers restricted to old protocol versions.
//
// It runs on its own io_context and thread (the client's io_context holds nothing of it) and
// records, per connection, what happened: the TLS handshake, the request, the bytes each way and
// whether it saw the peer go away. Writes never accumulate: each misbehaviour reuses one buffer,
// so the server's own memory stays flat however much it sends.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>

namespace flowtrack::test {

/// What the server does once it has read a request (or, for plain_http_400, any first bytes).
enum class misbehaviour {
  huge_content_length,  ///< 200 with `Content-Length: 1073741824`, then body bytes as fast as the socket takes them
  endless_chunked_body, ///< 200 with `Transfer-Encoding: chunked`, then 64 KiB chunks forever
  endless_headers,      ///< `HTTP/1.1 200 OK`, then `X-Filler: aaa...` header lines forever
  trickle,              ///< a valid 200 response (a 4 KiB body), one byte every trickle_interval
  interim_then_ok,      ///< `100 Continue` and `102 Processing` (unasked for), then a valid 200
  endless_interim,      ///< `100 Continue` responses forever, one every trickle_interval
  plain_http_400,       ///< whatever arrives first (even a TLS ClientHello): `400 Bad Request`, close
  ok,                   ///< a valid 200 `{"success":true}` with `Connection: close` (controls)
};

/// The server's TLS side. Versions are OpenSSL's (TLS1_1_VERSION...); 0 keeps OpenSSL's default.
struct hostile_tls {
  std::string cert_file;   ///< PEM chain
  std::string key_file;    ///< PEM private key
  int min_version = 0;
  int max_version = 0;
  /// SSL_CTX_set_cipher_list; e.g. "DEFAULT@SECLEVEL=0" to offer TLS 1.0/1.1 at all.
  std::string cipher_list;
};

struct hostile_options {
  misbehaviour what = misbehaviour::ok;
  std::optional<hostile_tls> tls;  ///< empty: plain TCP
  std::chrono::milliseconds trickle_interval = std::chrono::milliseconds(50);
};

/// Options for a plain TCP server, and for a TLS server presenting `cert_file` / `key_file` (whole
/// aggregates: g++ 12 warns about designated initializers that leave fields out).
hostile_options plain_server(misbehaviour what, std::chrono::milliseconds trickle_interval = std::chrono::milliseconds(50));
hostile_options tls_server(misbehaviour what, const std::string& cert_file, const std::string& key_file);

/// What one accepted connection saw, as far as it got.
struct hostile_connection {
  bool handshake_done = false;    ///< TLS handshake completed (plain TCP: always false)
  std::string handshake_error;    ///< TLS handshake failure, as OpenSSL words it
  std::string tls_version;        ///< negotiated version ("TLSv1.1"...), when the handshake completed
  bool request_received = false;  ///< a whole HTTP request was read
  std::string first_bytes;        ///< up to 64 bytes the client sent first (plaintext, after TLS)
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;   ///< response bytes accepted by the socket (after TLS: plaintext)
  bool peer_gone = false;         ///< a read or write failed because the client closed or reset
  bool finished = false;          ///< the server is done with this connection
};

class hostile_server {
 public:
  explicit hostile_server(hostile_options options);
  ~hostile_server();
  hostile_server(const hostile_server&) = delete;
  hostile_server& operator=(const hostile_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// http://127.0.0.1:PORT
  std::string http_url() const;
  /// https://localhost:PORT (the test certificates name localhost).
  std::string https_url() const;

  /// A snapshot of every connection so far, in accept order.
  std::vector<hostile_connection> connections() const;
  /// Blocks (test thread only) until `n` connections are finished or `timeout` passed.
  bool wait_until_finished(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  // Coroutines take their parameters by value: the stream is shared, the bytes are views of
  // strings their caller keeps alive until the write completes.
  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<Stream> stream, std::size_t index);
  template <class Stream>
  asio::awaitable<void> misbehave(std::shared_ptr<Stream> stream, std::size_t index);
  template <class Stream>
  asio::awaitable<bool> send(std::shared_ptr<Stream> stream, std::size_t index, std::string_view bytes);
  template <class Change>
  void update(std::size_t index, Change change);

  hostile_options options_;
  std::optional<asio::ssl::context> tls_;  // before io_: outlives the streams io_ destroys
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<hostile_connection> connections_;
  std::thread thread_;
};

}  // namespace flowtrack::test
