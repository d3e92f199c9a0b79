#include "kernel/org/credentials.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "kernel/org/grants.hpp"
#include "kernel/org/validate.hpp"

namespace zhidu::org {

namespace {

constexpr size_t kMinPasswordChars = 10;
constexpr size_t kMaxPasswordBytes = 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when every character of `s` follows the previous one along `row` (or every one precedes
// it): "1234567890", "qwertyuiop", "zyxwvutsrq".
bool StraightRun(std::string_view s, std::string_view row) {
  for (int step : {1, -1}) {
    bool run = true;
    for (size_t i = 1; i < s.size() && run; ++i) {
      auto a = row.find(s[i - 1]), b = row.find(s[i]);
      run = a != std::string_view::npos && b != std::string_view::npos &&
            static_cast<long>(b) - static_cast<long>(a) == step;
    }
    if (run) return true;
  }
  return false;
}

std::string TokenHash(const std::string& token) { return ToHex(Sha256Of(token)); }

constexpr std::string_view kTokenColumns =
    "SELECT t.id, t.account_id, a.username, t.name, t.created_at, "
    "CASE WHEN t.revoked THEN 1 ELSE 0 END FROM api_tokens t JOIN accounts a ON a.id = "
    "t.account_id ";

ApiTokenRow TokenRow(const store::SqlRow& r) {
  return ApiTokenRow{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Time(4), r.Flag(5)};
}

bool Administers(const RoleCatalogue& roles, const Principal& who) {
  return roles.Allows(who, perm::kAccountsWrite);
}

}  // namespace

Result<void> CheckPasswordRule(std::string_view username, std::string_view password,
                               std::string_view field) {
  const std::string f(field);
  if (password.size() > kMaxPasswordBytes)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                "the password is too long (1024 bytes at most)", f);
  if (Utf8Length(password) < kMinPasswordChars)
    return Fail(Errc::kInvalidArgument, Reason{"password.too_short"},
                "the password must have at least 10 characters", f);
  const std::string lower = Lower(password);
  if (!username.empty() && lower.find(Lower(username)) != std::string::npos)
    return Fail(Errc::kInvalidArgument, Reason{"password.has_username"},
                "the password must not contain the username", f);
  for (std::string_view word : {"password", "zhidu"})
    if (lower.find(word) != std::string::npos)
      return Fail(Errc::kInvalidArgument, Reason{"password.common_word"},
                  "the password must not contain \"" + std::string(word) + "\"", f);
  if (std::set<char>(lower.begin(), lower.end()).size() < 4)
    return Fail(Errc::kInvalidArgument, Reason{"password.too_simple"},
                "the password must have at least 4 different characters (not a repeated pattern)",
                f);
  for (std::string_view row : {"0123456789", "1234567890", "abcdefghijklmnopqrstuvwxyz",
                               "qwertyuiop", "asdfghjkl", "zxcvbnm"})
    if (StraightRun(lower, row))
      return Fail(Errc::kInvalidArgument, Reason{"password.keyboard_run"},
                  "the password must not be a run along the keyboard or the alphabet", f);
  return Ok();
}

Credentials::Credentials(store::Store& store, store::Writer& writer, const RoleCatalogue& roles,
                         AuthService& auth)
    : store_(store), writer_(writer), roles_(roles), auth_(auth) {}

Result<std::vector<ApiTokenRow>> Credentials::ListApiTokens(const Principal& who, Id account_id,
                                                            store::PageRequest page) {
  const bool admin =
      roles_.Allows(who, perm::kAccountsRead) || roles_.Allows(who, perm::kAccountsWrite);
  if (!admin) {
    if (account_id != 0 && account_id != who.account_id)
      return Fail(Errc::kPermissionDenied, "only an administrator may list another's API tokens",
                  "account_id");
    account_id = who.account_id;
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  std::string sql(kTokenColumns);
  store::SqlParams params{page.after_id};
  sql += "WHERE t.id > ?";
  if (account_id != 0) {
    sql += " AND t.account_id = ?";
    params.emplace_back(account_id);
  }
  sql += " ORDER BY t.id LIMIT ?";
  params.emplace_back(std::int64_t{page.limit});
  return unit->sql().Many<ApiTokenRow>("list API tokens", sql, params, TokenRow);
}

Result<ApiTokenRow> Credentials::RevokeApiToken(const Principal& who, Id token_id) {
  const std::string by_id = std::string(kTokenColumns) + "WHERE t.id = ?";
  return writer_.Run<ApiTokenRow>([&](store::Tx& tx) -> Result<ApiTokenRow> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto token, sql.One<ApiTokenRow>("read an API token", by_id, {token_id}, TokenRow,
                                               "no API token " + std::to_string(token_id)));
    if (token.account_id != who.account_id && !Administers(roles_, who))
      return Fail(Errc::kPermissionDenied, "only its owner or an administrator may revoke a token");
    if (token.revoked)
      return Fail(Errc::kFailedPrecondition, "API token \"" + token.name + "\" is already revoked");
    ZHIDU_TRY_VOID(sql.Exec("revoke an API token",
                            "UPDATE api_tokens SET revoked = TRUE WHERE id = ?", {token_id}));
    token.revoked = true;
    auto payload = CanonicalObject()
                       .Add("name", token.name)
                       .Add("account_id", token.account_id)
                       .Add("username", token.username)
                       .Str();
    ZHIDU_TRY_VOID(tx.Journal("auth.token.revoked", who.account_id,
                              "api_token/" + std::to_string(token.id), payload));
    return token;
  });
}

Result<store::Account> Credentials::AdministeredAccount(store::UnitOfWork& unit,
                                                        const Principal& who, Id account_id,
                                                        std::string_view what) {
  if (!Administers(roles_, who))
    return Fail(Errc::kPermissionDenied, "only an administrator may " + std::string(what));
  if (account_id == who.account_id)
    return Fail(Errc::kFailedPrecondition, Reason{"account.own_account"},
                "another administrator must " + std::string(what) + " for your own account");
  return unit.GetAccount(account_id);
}

Result<store::Account> Credentials::SetDisabled(const Principal& who, Id account_id,
                                                bool disabled) {
  return writer_.Run<store::Account>([&](store::Tx& tx) -> Result<store::Account> {
    ZHIDU_TRY(auto account,
              AdministeredAccount(tx.unit(), who, account_id,
                                  disabled ? "disable an account" : "enable an account"));
    if (account.disabled == disabled)
      return Fail(Errc::kFailedPrecondition, "account \"" + account.username + "\" is already " +
                                                 (disabled ? "disabled" : "enabled"));
    auto& sql = tx.unit().sql();
    ZHIDU_TRY_VOID(sql.Exec("disable an account",
                            disabled ? "UPDATE accounts SET disabled = TRUE WHERE id = ?"
                                     : "UPDATE accounts SET disabled = FALSE WHERE id = ?",
                            {account_id}));
    std::int64_t ended = 0;
    if (disabled) {
      ZHIDU_TRY(ended, sql.Exec("end the account's sessions",
                                "DELETE FROM sessions WHERE account_id = ?", {account_id}));
    }
    account.disabled = disabled;
    auto payload =
        CanonicalObject().Add("username", account.username).Add("sessions_ended", ended).Str();
    ZHIDU_TRY_VOID(tx.Journal(disabled ? "auth.account.disabled" : "auth.account.enabled",
                              who.account_id, "account/" + std::to_string(account_id), payload));
    return account;
  });
}

Result<store::Account> Credentials::SetRoles(const Principal& who, Id account_id,
                                             std::vector<store::RoleGrant> roles) {
  return writer_.Run<store::Account>([&](store::Tx& tx) -> Result<store::Account> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto account, AdministeredAccount(unit, who, account_id, "change role grants"));
    ZHIDU_TRY_VOID(ValidateGrants(unit, roles_, roles));
    ZHIDU_TRY(auto before, unit.ListRoleGrants(account_id));
    ZHIDU_TRY_VOID(unit.sql().Exec("remove role grants",
                                   "DELETE FROM role_grants WHERE account_id = ?", {account_id}));
    ZHIDU_TRY(auto after_json, InsertGrants(unit, account_id, roles));
    auto payload = CanonicalObject()
                       .Add("username", account.username)
                       .AddRaw("before", GrantsJson(before))
                       .AddRaw("after", after_json)
                       .Str();
    ZHIDU_TRY_VOID(tx.Journal("auth.account.roles_changed", who.account_id,
                              "account/" + std::to_string(account_id), payload));
    return account;
  });
}

Result<void> Credentials::ChangeOwnPassword(const Principal& who,
                                            const std::string& current_password,
                                            const std::string& new_password,
                                            const std::string& keep_session_token) {
  ZHIDU_TRY_VOID(CheckPasswordRule(who.username, new_password, "new_password"));
  if (new_password == current_password)
    return Fail(Errc::kInvalidArgument, Reason{"password.unchanged"},
                "the new password must differ from the current one", "new_password");
  if (auto confirmed = auth_.ConfirmPassword(who.account_id, current_password); !confirmed) {
    if (confirmed.error().code != Errc::kUnauthenticated) return Fail(confirmed.error());
    // Not 401: the session is fine, the proof is not.
    return Fail(Errc::kPermissionDenied, Reason{"auth.current_password"},
                "the current password does not match", "current_password");
  }
  const std::string hash = auth_.HashPassword(new_password);
  const std::string keep = keep_session_token.empty() ? "" : TokenHash(keep_session_token);
  auto done = writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY_VOID(sql.Exec("change a password",
                            "UPDATE accounts SET password_hash = ? WHERE id = ?",
                            {hash, who.account_id}));
    ZHIDU_TRY(auto ended, sql.Exec("end the other sessions",
                                   "DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?",
                                   {who.account_id, keep}));
    auto payload = CanonicalObject().Add("sessions_ended", ended).Str();
    ZHIDU_TRY_VOID(tx.Journal("auth.password.changed", who.account_id,
                              "account/" + std::to_string(who.account_id), payload));
    return 0;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

Result<void> Credentials::ResetPassword(const Principal& who, Id account_id,
                                        const std::string& new_password) {
  std::string username;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(auto account, AdministeredAccount(*unit, who, account_id, "reset a password"));
    username = account.username;
  }
  ZHIDU_TRY_VOID(CheckPasswordRule(username, new_password, "new_password"));
  const std::string hash = auth_.HashPassword(new_password);
  auto done = writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    ZHIDU_TRY(auto account, AdministeredAccount(tx.unit(), who, account_id, "reset a password"));
    auto& sql = tx.unit().sql();
    ZHIDU_TRY_VOID(sql.Exec("reset a password",
                            "UPDATE accounts SET password_hash = ? WHERE id = ?",
                            {hash, account_id}));
    ZHIDU_TRY(auto ended, sql.Exec("end the account's sessions",
                                   "DELETE FROM sessions WHERE account_id = ?", {account_id}));
    auto payload =
        CanonicalObject().Add("username", account.username).Add("sessions_ended", ended).Str();
    ZHIDU_TRY_VOID(tx.Journal("auth.password.reset", who.account_id,
                              "account/" + std::to_string(account_id), payload));
    return 0;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

}  // namespace zhidu::org
