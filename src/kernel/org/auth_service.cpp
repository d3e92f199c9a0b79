#include "kernel/org/auth_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "kernel/org/grants.hpp"
#include "kernel/org/validate.hpp"

namespace zhidu::org {

namespace {

std::string TokenHash(const std::string& token) { return ToHex(Sha256Of(token)); }

// `reason`: its name in docs/api.md's catalogue ("auth.wrong_password").
Error Unauthenticated(std::string message, std::string reason) {
  return Error{Errc::kUnauthenticated, std::move(message), "", std::move(reason)};
}

constexpr std::size_t kMaxPasswordBytes = 1024;

// Every argon2id slot is taken: refused at once (a queue would hold the memory anyway).
Error Busy() {
  return Error{Errc::kUnavailable, "the server is busy checking other passwords; try again in 1 s",
               "", "auth.busy"};
}
constexpr const char* kUsernameRule =
    "username must be 3-64 characters: letters, digits, '_', '.' or '-'";

// Signatures: 5 wrong passwords stop the account's signing for 15 minutes.
std::chrono::seconds SignatureDelay(int failures) {
  return failures >= 5 ? std::chrono::seconds(15 * 60) : std::chrono::seconds(0);
}

bool ValidUsername(std::string_view u) {
  if (u.size() < 3 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

}  // namespace

AuthService::AuthService(store::Store& store, store::Writer& writer, const Clock& clock,
                         const RoleCatalogue& roles, AuthOptions options)
    : store_(store),
      writer_(writer),
      clock_(clock),
      roles_(roles),
      options_(options),
      throttle_({options.failure_window, options.max_throttle_keys}) {
  if (sodium_init() < 0) std::abort();
}

std::string AuthService::HashPassword(const std::string& password) const {
  char out[crypto_pwhash_STRBYTES];
  auto ops =
      options_.fast_hashing ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  auto mem =
      options_.fast_hashing ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    std::abort();  // out of memory
  return out;
}

AuthService::CheckSlot::CheckSlot(AuthService& auth) : auth_(auth) {
  const int now_in_flight = auth_.checks_in_flight_.fetch_add(1) + 1;
  ok_ = now_in_flight <= auth_.options_.max_concurrent_checks;
  if (!ok_) {
    auth_.checks_in_flight_.fetch_sub(1);
    return;
  }
  int peak = auth_.peak_checks_.load();
  while (now_in_flight > peak && !auth_.peak_checks_.compare_exchange_weak(peak, now_in_flight)) {
  }
}

AuthService::CheckSlot::~CheckSlot() {
  if (ok_) auth_.checks_in_flight_.fetch_sub(1);
}

Result<Principal> AuthService::PrincipalFor(store::UnitOfWork& unit, Id account_id) {
  ZHIDU_TRY(auto account, unit.GetAccount(account_id));
  if (account.disabled)
    return Fail(Unauthenticated("this account is disabled", "auth.account_disabled"));
  ZHIDU_TRY(auto grants, unit.ListRoleGrants(account_id));
  Principal p;
  p.account_id = account.id;
  p.username = account.username;
  p.person_id = account.person_id;
  p.roles = std::move(grants);
  return p;
}

Result<LoginResult> AuthService::Login(const std::string& username, const std::string& password,
                                       const std::string& client_ip,
                                       std::chrono::seconds* retry_after) {
  // Checked before anything is counted or journaled: a 500 KB username costs nothing but this.
  if (!ValidUsername(username)) return Fail(Errc::kInvalidArgument, kUsernameRule, "username");
  if (password.size() > kMaxPasswordBytes)
    return Fail(Errc::kInvalidArgument, Reason{"auth.wrong_password"}, "wrong username or password",
                "password");
  const TimePoint now = clock_.Now();
  // Usernames match whatever their case, so the throttle counts every spelling as one account.
  std::string user_key = "user:" + username;
  std::transform(user_key.begin(), user_key.end(), user_key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string ip_key = "ip:" + client_ip;
  auto admission = throttle_.Attempt({{user_key, AccountDelay}, {ip_key, AddressDelay}}, now);
  if (!admission.admitted) {
    if (retry_after) *retry_after = admission.retry_after;
    return Fail(Errc::kResourceExhausted, Reason{"auth.too_many_attempts"},
                "too many failed sign-in attempts; wait " +
                    std::to_string(admission.retry_after.count()) + " s and try again");
  }
  CheckSlot slot(*this);
  if (!slot.ok()) {
    throttle_.Release(user_key);  // not an attempt: the password was never checked
    throttle_.Release(ip_key);
    if (retry_after) *retry_after = std::chrono::seconds(1);
    return Fail(Busy());
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto account = unit->GetAccountByUsername(username);
  // Hash anyway when the account is unknown, so timing does not reveal which usernames exist.
  bool password_ok = false;
  if (account) {
    password_ok = crypto_pwhash_str_verify(account->password_hash.c_str(), password.data(),
                                           password.size()) == 0;
  } else {
    (void)HashPassword(password);
  }
  if (!account || !password_ok || account->disabled) {
    unit.reset();
    // Once per account per window (unknown usernames: once per address), so failures cannot fill
    // the journal; the throttle counts every one.
    if (throttle_.FirstReport(account ? user_key : ip_key)) {
      auto payload = CanonicalObject()
                         .Add("username", username)
                         .Add("ip", client_ip)
                         .Add("reason", !account            ? "unknown user"
                                        : account->disabled ? "disabled"
                                                            : "wrong password")
                         .Str();
      (void)writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
        ZHIDU_TRY_VOID(tx.Journal("auth.login.failed", 0, "account/" + username, payload));
        return 0;
      });
    }
    return Fail(Unauthenticated("wrong username or password", "auth.wrong_password"));
  }
  ZHIDU_TRY(auto principal, PrincipalFor(*unit, account->id));
  unit.reset();
  throttle_.Clear(user_key);
  throttle_.Release(ip_key);

  LoginResult result;
  result.session_token = RandomHex(32);
  result.expires_at = now + std::chrono::duration_cast<Micros>(options_.session_ttl);
  result.ttl = options_.session_ttl;
  principal.csrf_token = RandomHex(16);
  principal.via_session = true;
  result.principal = principal;
  store::Session session{TokenHash(result.session_token), account->id, principal.csrf_token, now,
                         result.expires_at};
  auto payload = CanonicalObject().Add("username", username).Add("ip", client_ip).Str();
  ZHIDU_TRY_VOID(writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    ZHIDU_TRY_VOID(tx.unit().InsertSession(session));
    ZHIDU_TRY_VOID(tx.Journal("auth.login.succeeded", account->id,
                              "account/" + std::to_string(account->id), payload));
    return 0;
  }));
  return result;
}

Result<void> AuthService::Logout(const std::string& session_token, const Principal& who) {
  auto hash = TokenHash(session_token);
  auto r = writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    ZHIDU_TRY_VOID(tx.unit().DeleteSession(hash));
    ZHIDU_TRY_VOID(tx.Journal("auth.logout", who.account_id,
                              "account/" + std::to_string(who.account_id), "{}"));
    return 0;
  });
  if (!r) return Fail(r.error());
  return Ok();
}

Result<Principal> AuthService::AuthenticateSession(const std::string& session_token,
                                                   TimePoint* expires_at) {
  if (session_token.empty()) return Fail(Unauthenticated("sign in first", "auth.sign_in_first"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto session = unit->GetSession(TokenHash(session_token));
  if (!session) {
    if (session.error().code == Errc::kNotFound)
      return Fail(Unauthenticated("your session has ended; sign in again", "auth.session_ended"));
    return Fail(session.error());
  }
  if (session->expires_at <= clock_.Now())
    return Fail(Unauthenticated("your session has expired; sign in again", "auth.session_ended"));
  ZHIDU_TRY(auto principal, PrincipalFor(*unit, session->account_id));
  principal.csrf_token = session->csrf_token;
  principal.via_session = true;
  if (expires_at) *expires_at = session->expires_at;
  return principal;
}

Result<Principal> AuthService::AuthenticateBearer(const std::string& token) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto found = unit->GetApiTokenByHash(TokenHash(token));
  if (!found || found->revoked)
    return Fail(Unauthenticated("the API token is not valid", "auth.token_invalid"));
  return PrincipalFor(*unit, found->account_id);
}

Result<void> AuthService::ConfirmPassword(Id account_id, const std::string& password) {
  // Throttled like sign-in, per account: a live session must not become a way to guess the
  // password one signature at a time. Only the account itself can trip it, so a hard stop.
  const TimePoint now = clock_.Now();
  const std::string key = "confirm:" + std::to_string(account_id);
  auto admission = throttle_.Attempt({{key, SignatureDelay}}, now);
  if (!admission.admitted)
    return Fail(Errc::kResourceExhausted, Reason{"auth.too_many_attempts"},
                "too many wrong passwords when signing; wait " +
                    std::to_string((admission.retry_after.count() + 59) / 60) +
                    " minutes and try again");
  CheckSlot slot(*this);
  if (!slot.ok()) {
    throttle_.Release(key);
    return Fail(Busy());
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto account, unit->GetAccount(account_id));
  if (password.size() > kMaxPasswordBytes ||
      crypto_pwhash_str_verify(account.password_hash.c_str(), password.data(), password.size()) !=
          0)
    return Fail(Unauthenticated("the password does not match; the signature was not made",
                                "auth.signature_password"));
  throttle_.Clear(key);
  return Ok();
}

Result<void> AuthService::ValidateNewAccount(store::UnitOfWork& unit, const NewAccount& in) {
  if (!ValidUsername(in.username)) return Fail(Errc::kInvalidArgument, kUsernameRule, "username");
  if (Utf8Length(in.password) < 8)
    return Fail(Errc::kInvalidArgument, "password must have at least 8 characters", "password");
  if (in.password.size() > kMaxPasswordBytes)
    return Fail(Errc::kInvalidArgument, "password is too long (1024 bytes at most)", "password");
  if (in.person_id != 0) {
    auto person = unit.GetPerson(in.person_id);
    if (!person) return Fail(Errc::kInvalidArgument, person.error().message, "person_id");
  }
  return ValidateGrants(unit, roles_, in.roles);
}

Result<store::Account> AuthService::CreateAccount(const Principal* who, const NewAccount& input) {
  if (who && !roles_.Allows(*who, perm::kAccountsWrite))
    return Fail(Errc::kPermissionDenied, "only an administrator may create accounts");
  store::Account account;
  account.username = input.username;
  account.person_id = input.person_id;
  account.created_at = clock_.Now();
  // Validate before the expensive hash; re-validated inside the transaction below.
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY_VOID(ValidateNewAccount(*unit, input));
  }
  {
    CheckSlot slot(*this);
    if (!slot.ok()) return Fail(Busy());
    account.password_hash = HashPassword(input.password);
  }
  Id actor = who ? who->account_id : 0;
  return writer_.Run<store::Account>([&](store::Tx& tx) -> Result<store::Account> {
    ZHIDU_TRY_VOID(ValidateNewAccount(tx.unit(), input));
    auto id = tx.unit().InsertAccount(account);
    if (!id) {
      if (id.error().code == Errc::kConflict)
        return Fail(Errc::kConflict, Reason{"taken"},
                    "an account named \"" + input.username + "\" already exists", "username");
      return Fail(id.error());
    }
    store::Account created = account;
    created.id = *id;
    ZHIDU_TRY(auto roles_json, InsertGrants(tx.unit(), created.id, input.roles));
    auto payload = CanonicalObject()
                       .Add("username", created.username)
                       .Add("person_id", created.person_id)
                       .AddRaw("roles", roles_json)
                       .Str();
    ZHIDU_TRY_VOID(tx.Journal("auth.account.created", actor,
                              "account/" + std::to_string(created.id), payload));
    return created;
  });
}

Result<std::vector<store::Account>> AuthService::ListAccounts(const Principal& who,
                                                              store::PageRequest page) {
  if (!roles_.Allows(who, perm::kAccountsRead) && !roles_.Allows(who, perm::kAccountsWrite))
    return Fail(Errc::kPermissionDenied, "only an administrator may list accounts");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListAccounts(page);
}

Result<std::vector<store::RoleGrant>> AuthService::RolesOf(Id account_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListRoleGrants(account_id);
}

Result<std::string> AuthService::CreateApiToken(const Principal& who, const std::string& name) {
  if (!roles_.Allows(who, perm::kTokensWrite))
    return Fail(Errc::kPermissionDenied, "only an administrator may create API tokens");
  ZHIDU_TRY_VOID(RequireName(name, "name"));
  std::string token = "zt_" + RandomHex(24);
  store::ApiToken row{0, who.account_id, name, TokenHash(token), clock_.Now(), false};
  auto payload = CanonicalObject().Add("name", name).Str();
  ZHIDU_TRY(Id id, writer_.Run<Id>([&](store::Tx& tx) -> Result<Id> {
    ZHIDU_TRY(Id id, tx.unit().InsertApiToken(row));
    ZHIDU_TRY_VOID(tx.Journal("auth.token.created", who.account_id,
                              "api_token/" + std::to_string(id), payload));
    return id;
  }));
  (void)id;
  return token;
}

}  // namespace zhidu::org
