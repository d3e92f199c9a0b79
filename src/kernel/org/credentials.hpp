// Credentials (凭据) after an account exists: API tokens listed and revoked, accounts disabled
// (the employee left) and enabled again, role grants replaced, passwords changed by their owner
// and reset by an administrator. Every change is journaled in its own transaction.
//
// A change applies to the next request: sessions and tokens are authenticated from the store, and
// the API's caches (principals of tokens, board answers) are invalid once the writer commits.
// Disabling ends the account's sessions; its tokens stop authenticating while it is disabled.
// Thread-safe: handlers call it concurrently; writes go through the single Writer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::org {

// The password rule (docs/security.md §Credentials): at least 10 characters, at most 1,024 bytes,
// not containing the username (any case), not containing "password" or "zhidu" (any case), at
// least 4 different characters, and not a straight run along the digits (0-9 or the keyboard's
// 1-0), the alphabet or a keyboard letter row (forwards or backwards). kInvalidArgument naming
// `field` otherwise.
Result<void> CheckPasswordRule(std::string_view username, std::string_view password,
                               std::string_view field);

struct ApiTokenRow {
  Id id = 0;
  Id account_id = 0;
  std::string username;  // the owner's
  std::string name;
  TimePoint created_at;
  bool revoked = false;
};

class Credentials {
 public:
  Credentials(store::Store& store, store::Writer& writer, const RoleCatalogue& roles,
              AuthService& auth);

  // An administrator (accounts.read/write) sees every account's tokens, or `account_id`'s; anyone
  // else only their own (account_id 0 or their own id). Never the token or its hash.
  Result<std::vector<ApiTokenRow>> ListApiTokens(const Principal& who, Id account_id,
                                                 store::PageRequest page);
  // The owner or an administrator (accounts.write). kFailedPrecondition when already revoked.
  Result<ApiTokenRow> RevokeApiToken(const Principal& who, Id token_id);
  // An administrator, never on their own account. Disabling ends every session of the account.
  Result<store::Account> SetDisabled(const Principal& who, Id account_id, bool disabled);
  // Replaces the account's grants (validated as at creation). An administrator, never their own.
  Result<store::Account> SetRoles(const Principal& who, Id account_id,
                                  std::vector<store::RoleGrant> roles);
  // The owner, proving the current password (throttled as a signature). Ends the account's other
  // sessions (`keep_session_token`: the cookie value of the session making the change, if any).
  Result<void> ChangeOwnPassword(const Principal& who, const std::string& current_password,
                                 const std::string& new_password,
                                 const std::string& keep_session_token);
  // An administrator, for another account. Ends every session of that account.
  Result<void> ResetPassword(const Principal& who, Id account_id, const std::string& new_password);

 private:
  Result<store::Account> AdministeredAccount(store::UnitOfWork& unit, const Principal& who,
                                             Id account_id, std::string_view what);

  store::Store& store_;
  store::Writer& writer_;
  const RoleCatalogue& roles_;
  AuthService& auth_;
};

}  // namespace zhidu::org
