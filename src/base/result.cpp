#include "base/result.hpp"

namespace zhidu {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return "not_found";
    case Errc::kConflict:
      return "conflict";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kPermissionDenied:
      return "permission_denied";
    case Errc::kUnauthenticated:
      return "unauthenticated";
    case Errc::kFailedPrecondition:
      return "failed_precondition";
    case Errc::kResourceExhausted:
      return "resource_exhausted";
    case Errc::kUnavailable:
      return "unavailable";
    case Errc::kCorruption:
      return "corruption";
    case Errc::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace zhidu
