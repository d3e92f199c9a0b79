// Signatures over HTTP messages: HMAC-SHA256 (RFC 2104), Base64 (RFC 4648 §4) and percent-encoding,
// for the signed robots (钉钉 DingTalk, 飞书 Feishu 加签) and the signed device webhooks
// (modules/devices). docs/operations.md cites the vendors' pages for each format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zhidu::api {

// The 32 raw bytes of HMAC-SHA256(key, message).
std::string HmacSha256(std::string_view key, std::string_view message);
// Lower-case hex of `bytes`.
std::string HexOf(std::string_view bytes);
// Standard Base64 with padding.
std::string Base64Of(std::string_view bytes);
// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string PercentEncode(std::string_view text);
// Constant-time comparison of two strings of equal length (false when the lengths differ).
bool SameSecret(std::string_view a, std::string_view b);

// DingTalk 加签: Base64(HMAC-SHA256(key=secret, message=timestamp_ms + "\n" + secret)), to be
// percent-encoded into the `sign` query parameter beside `timestamp`.
std::string DingTalkSign(std::int64_t timestamp_ms, std::string_view secret);
// Feishu 加签: Base64(HMAC-SHA256(key=timestamp_s + "\n" + secret, message="")), sent as the body's
// `sign` beside `timestamp` (seconds, as a string).
std::string FeishuSign(std::int64_t timestamp_s, std::string_view secret);

}  // namespace zhidu::api
