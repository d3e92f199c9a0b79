// Result<T>: the error channel of every fallible function in zhidu.
// Errors carry a code (mapped to HTTP status in api/ only), a message a person can act on,
// optionally the input field that caused it, and optionally a stable reason: the finer, documented
// name of a refusal ("auth.wrong_password", "required") that the console maps to its own text
// (docs/api.md lists them). The message stays English and is for logs, the CLI and support.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace zhidu {

enum class Errc {
  kNotFound,
  kConflict,
  kInvalidArgument,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kCorruption,
  kInternal,
};

// Stable lower_snake names used on the wire ("invalid_argument").
std::string_view ErrcName(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string message;
  std::string field;        // empty when the error is not about one input field
  std::string reason = {};  // empty when the code says enough, else a name in docs/api.md
};

// A stable reason code: lower_snake words, a dotted area prefix for a domain refusal
// ("handover.outgoing_signs_first"), none for the generic ones below. Never reworded once shipped.
struct Reason {
  std::string_view name;
};
inline constexpr Reason kRequired{"required"};  // a field that must be given was missing or empty
inline constexpr Reason kInvalid{"invalid"};    // a field's value is malformed or out of range

template <typename T>
using Result = std::expected<T, Error>;

// Result<void> success value: `return Ok();`
inline Result<void> Ok() { return {}; }

inline std::unexpected<Error> Fail(Errc code, std::string message, std::string field = {}) {
  return std::unexpected<Error>(Error{code, std::move(message), std::move(field)});
}

inline std::unexpected<Error> Fail(Errc code, Reason reason, std::string message,
                                   std::string field = {}) {
  return std::unexpected<Error>(
      Error{code, std::move(message), std::move(field), std::string(reason.name)});
}

inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

}  // namespace zhidu

// Propagates the error of a Result expression, otherwise yields its value.
// Usage: ZHIDU_TRY(auto site, store.GetSite(id));
#define ZHIDU_CONCAT_INNER(a, b) a##b
#define ZHIDU_CONCAT(a, b) ZHIDU_CONCAT_INNER(a, b)
#define ZHIDU_TRY(decl, expr) ZHIDU_TRY_IMPL(ZHIDU_CONCAT(zhidu_try_, __LINE__), decl, expr)
#define ZHIDU_TRY_IMPL(tmp, decl, expr)                                       \
  auto tmp = (expr);                                                          \
  if (!tmp) return ::std::unexpected<::zhidu::Error>(std::move(tmp).error()); \
  decl = std::move(*tmp)
#define ZHIDU_TRY_VOID(expr)                                                        \
  do {                                                                              \
    auto zhidu_try_void_ = (expr);                                                  \
    if (!zhidu_try_void_)                                                           \
      return ::std::unexpected<::zhidu::Error>(std::move(zhidu_try_void_).error()); \
  } while (0)
