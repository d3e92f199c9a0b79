// Accounts, sessions, API tokens and login throttling. Every auth event is journaled.
// Thread-safe: handlers call it concurrently; writes go through the single Writer.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::org {

struct AuthOptions {
  std::chrono::seconds session_ttl{12 * 3600};   // one shift and a half: 12 h
  int max_failures = 5;                          // failed logins per username (or per IP ×4) …
  std::chrono::seconds failure_window{15 * 60};  // … within this window lock further attempts
  bool fast_hashing = false;  // tests only: argon2id with the minimum cost instead of interactive
};

struct NewAccount {
  std::string username;
  std::string password;
  Id person_id = 0;
  std::vector<store::RoleGrant> roles;  // account_id ignored
};

struct LoginResult {
  std::string session_token;  // the cookie value; only its hash is stored
  Principal principal;
  TimePoint expires_at;
  std::chrono::seconds ttl{0};  // for the cookie's Max-Age
};

class AuthService {
 public:
  AuthService(store::Store& store, store::Writer& writer, const Clock& clock,
              const RoleCatalogue& roles, AuthOptions options = {});

  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& client_ip);
  Result<void> Logout(const std::string& session_token, const Principal& who);
  Result<Principal> AuthenticateSession(const std::string& session_token);
  Result<Principal> AuthenticateBearer(const std::string& token);
  // Re-confirms a signer's password at the moment of signing (handover, approval): kUnauthenticated
  // when it does not match; kResourceExhausted after max_failures wrong ones for the account
  // within failure_window (as for sign-in).
  Result<void> ConfirmPassword(Id account_id, const std::string& password);

  // `who` may be a system principal (account_id 0) only from the CLI.
  Result<store::Account> CreateAccount(const Principal* who, const NewAccount& input);
  Result<std::vector<store::Account>> ListAccounts(const Principal& who, store::PageRequest page);
  Result<std::vector<store::RoleGrant>> RolesOf(Id account_id);
  // Returns the plaintext token once; only its hash is kept.
  Result<std::string> CreateApiToken(const Principal& who, const std::string& name);

  std::string HashPassword(const std::string& password) const;

 private:
  Result<Principal> PrincipalFor(store::UnitOfWork& unit, Id account_id);
  bool Throttled(const std::string& key, TimePoint now);
  void RecordFailure(const std::string& key, TimePoint now);
  void ClearFailures(const std::string& key);
  Result<void> ValidateNewAccount(store::UnitOfWork& unit, const NewAccount& input);

  store::Store& store_;
  store::Writer& writer_;
  const Clock& clock_;
  const RoleCatalogue& roles_;
  AuthOptions options_;
  std::mutex mu_;
  std::map<std::string, std::vector<TimePoint>> failures_;  // throttle key -> recent failures
};

}  // namespace zhidu::org
