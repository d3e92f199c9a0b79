// Hashing and randomness. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace zhidu {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256 (OpenSSL; uses the CPU's SHA extensions where present).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  void Update(const void* data, size_t size);
  Sha256Digest Finish();  // the object may not be updated afterwards

 private:
  void* ctx_;  // EVP_MD_CTX*
};

Sha256Digest Sha256Of(std::string_view bytes);
std::string ToHex(const std::uint8_t* data, size_t size);
inline std::string ToHex(const Sha256Digest& d) { return ToHex(d.data(), d.size()); }
// Decodes lowercase or uppercase hex; false when `hex` is not exactly 2*size hex digits.
bool FromHex(std::string_view hex, std::uint8_t* out, size_t size);

// `bytes` cryptographically random bytes, hex-encoded (2*bytes characters). Uses libsodium.
std::string RandomHex(size_t bytes);
// Constant-time comparison of two strings of equal length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Base64url without padding (RFC 4648 §5); used for opaque cursors.
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string& out);

}  // namespace zhidu
