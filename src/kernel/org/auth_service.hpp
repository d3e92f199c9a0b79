// Accounts, sessions, API tokens and login throttling. Every auth event is journaled.
// Thread-safe: handlers call it concurrently; writes go through the single Writer.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/failure_throttle.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::org {

struct AuthOptions {
  std::chrono::seconds session_ttl{12 * 3600};  // one shift and a half: 12 h
  // Failed attempts are forgotten this long after the last one (sign-in delays: AccountDelay,
  // AddressDelay; a signature is refused for the window after 5 wrong passwords).
  std::chrono::seconds failure_window{15 * 60};
  std::size_t max_throttle_keys = 10'000;  // accounts and addresses with recent failures kept
  // Passwords checked (argon2id, 64 MiB each) at once; more get kUnavailable, never a queue.
  int max_concurrent_checks = 4;
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

  // Refuses a malformed username or password with kInvalidArgument before anything is counted or
  // journaled. kResourceExhausted (delayed after failures) and kUnavailable (too many passwords
  // being checked) set *retry_after. A failure is journaled once per account (or, for unknown
  // usernames, per address) per failure window.
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& client_ip,
                            std::chrono::seconds* retry_after = nullptr);
  Result<void> Logout(const std::string& session_token, const Principal& who);
  // `expires_at` (optional) gets the session's end, so a cache of the principal can check it on
  // each use (api/api.cpp).
  Result<Principal> AuthenticateSession(const std::string& session_token,
                                        TimePoint* expires_at = nullptr);
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

  // For metrics: keys in the failure throttle, and the most password checks seen at once.
  std::size_t throttle_keys() const { return throttle_.size(); }
  int peak_concurrent_checks() const { return peak_checks_.load(); }

 private:
  // Holds one of max_concurrent_checks slots for an argon2id computation, or none (ok() false).
  class CheckSlot {
   public:
    explicit CheckSlot(AuthService& auth);
    ~CheckSlot();
    CheckSlot(const CheckSlot&) = delete;
    CheckSlot& operator=(const CheckSlot&) = delete;
    bool ok() const { return ok_; }

   private:
    AuthService& auth_;
    bool ok_;
  };

  Result<Principal> PrincipalFor(store::UnitOfWork& unit, Id account_id);
  Result<void> ValidateNewAccount(store::UnitOfWork& unit, const NewAccount& input);

  store::Store& store_;
  store::Writer& writer_;
  const Clock& clock_;
  const RoleCatalogue& roles_;
  AuthOptions options_;
  FailureThrottle throttle_;
  std::atomic<int> checks_in_flight_{0};
  std::atomic<int> peak_checks_{0};
};

}  // namespace zhidu::org
