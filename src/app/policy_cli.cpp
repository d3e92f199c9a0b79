#include "app/policy_cli.hpp"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/roles.hpp"
#include "kernel/policy/coverage.hpp"
#include "kernel/policy/loader.hpp"

namespace zhidu::app {
namespace {

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Loads `dir`, printing every diagnostic to stderr; nullptr when the pack has errors.
std::unique_ptr<policy::Pack> LoadOrReport(const std::string& dir) {
  policy::LoadReport report;
  auto pack = policy::LoadPack(dir, &report, PackLoadOptions());
  for (const auto& d : report.diagnostics) std::cerr << d.ToString() << "\n";
  if (!pack) {
    if (report.diagnostics.empty()) std::cerr << dir << ": " << pack.error().message << "\n";
    return nullptr;
  }
  return std::make_unique<policy::Pack>(std::move(*pack));
}

std::string DefaultPolicyDir() {
  const char* env = std::getenv("ZHIDU_POLICIES");
  return env != nullptr && *env != '\0' ? env : "policies/cn-default";
}

int RunCheck(const std::string& dir) {
  auto pack = LoadOrReport(dir);
  if (!pack) return 1;
  const auto& p = *pack;
  std::cout << "ok: " << p.info().name << " " << p.info().version << " (effective "
            << p.info().effective << ", sha256 " << p.info().content_hash.substr(0, 16)
            << "…): " << p.clauses().regulations().size() << " regulations, " << p.roles().size()
            << " roles, " << p.duties().size() << " duties, " << p.procedures().size()
            << " procedures, " << p.requests().size() << " requests, " << p.penalties().size()
            << " penalties, " << p.conduct().size() << " conduct rules\n";
  return 0;
}

int RunCoverage(const std::string& dir, bool json) {
  auto pack = LoadOrReport(dir);
  if (!pack) return 1;
  policy::Coverage cov = policy::ComputeCoverage(*pack);
  if (json) {
    std::ostringstream out;
    out << "{\"pack\":\"" << JsonEscape(pack->info().name) << "\",\"version\":\""
        << JsonEscape(pack->info().version) << "\",\"regulations\":[";
    bool first = true;
    for (const auto& r : cov.regulations) {
      out << (first ? "" : ",") << "{\"code\":\"" << r.code << "\",\"title\":\""
          << JsonEscape(r.title) << "\",\"total\":" << r.total << ",\"executable\":" << r.executable
          << ",\"recorded\":" << r.recorded << ",\"citable_only\":" << r.citable_only
          << ",\"missing\":" << r.missing << ",\"recorded_clauses\":[";
      for (size_t i = 0; i < r.recorded_ids.size(); ++i) {
        out << (i ? "," : "") << "\"" << JsonEscape(r.recorded_ids[i]) << "\"";
      }
      out << "],\"missing_clauses\":[";
      for (size_t i = 0; i < r.missing_ids.size(); ++i) {
        out << (i ? "," : "") << "\"" << JsonEscape(r.missing_ids[i]) << "\"";
      }
      out << "]}";
      first = false;
    }
    out << "],\"total\":" << cov.total << ",\"executable\":" << cov.executable
        << ",\"recorded\":" << cov.recorded << ",\"citable_only\":" << cov.citable_only
        << ",\"missing\":" << cov.missing << "}\n";
    std::cout << out.str();
  } else {
    // recorded: cited only by rules the runtime stores or shows but does not enforce.
    std::cout << "reg  total  executable  recorded  citable-only  missing  title\n";
    for (const auto& r : cov.regulations) {
      std::cout << std::left << std::setw(5) << r.code << std::right << std::setw(5) << r.total
                << std::setw(12) << r.executable << std::setw(10) << r.recorded << std::setw(14)
                << r.citable_only << std::setw(9) << r.missing << "  " << r.title << "\n";
      for (const auto& id : r.recorded_ids)
        std::cout << "     recorded, not enforced: " << id << "\n";
      for (const auto& id : r.missing_ids) std::cout << "     missing: " << id << "\n";
    }
    std::cout << "all  " << std::setw(5) << cov.total << std::setw(12) << cov.executable
              << std::setw(10) << cov.recorded << std::setw(14) << cov.citable_only << std::setw(9)
              << cov.missing << "\n";
  }
  return 0;
}

int RunExplain(const std::string& clause, const std::string& dir) {
  auto pack = LoadOrReport(dir);
  if (!pack) return 1;
  auto e = policy::Explain(*pack, clause);
  if (!e) {
    std::cerr << e.error().message << "\n";
    return 1;
  }
  std::cout << e->clause.id << "  (" << e->regulation_title << ")\n" << e->clause.text << "\n";
  for (const auto& c : e->children) std::cout << "  " << c.id << "  " << c.text << "\n";
  std::cout << "\nrules:\n";
  if (e->rules.empty()) std::cout << "  (none cite this clause directly)\n";
  for (size_t i = 0; i < e->rules.size(); ++i) {
    const auto& r = e->rules[i];
    const std::string& status = e->status[i];
    std::cout << "  "
              << (status == "executed"   ? "[executed]  "
                  : status == "recorded" ? "[recorded, not enforced] "
                                         : "[citable]   ")
              << r.kind << " " << r.id;
    if (!r.title.empty()) std::cout << " — " << r.title;
    std::cout << "  (" << r.source.file << ":" << r.source.line << ")\n";
  }
  return 0;
}

// The permission catalogue as the Markdown table docs/policy_format.md §3 holds (a test keeps the
// two equal); with a pack, which of its roles hold each permission.
int RunPermissions(const std::string& dir) {
  std::unique_ptr<policy::Pack> pack;
  if (!dir.empty()) {
    pack = LoadOrReport(dir);
    if (!pack) return 1;
  }
  std::cout << "| permission | 名称 | lets a holder |"
            << (pack ? " roles of " + pack->info().name + " |" : "") << "\n|---|---|---|"
            << (pack ? "---|" : "") << "\n";
  for (const auto& p : PermissionCatalogue()) {
    std::cout << "| `" << p.id << "` | " << p.title << " | " << p.what << " |";
    if (pack) {
      std::string holders;
      for (const auto& r : pack->roles())
        for (const auto& held : r.permissions)
          if (held == p.id) holders += (holders.empty() ? "" : ", ") + r.id;
      std::cout << " " << holders << " |";
    }
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, int& exit_code) {
  CLI::App* policy = app.add_subcommand("policy", "Check, measure and explain policy packs");
  policy->require_subcommand(1);

  auto check_dir = std::make_shared<std::string>();
  CLI::App* check = policy->add_subcommand("check", "Validate a pack; list every error");
  check->add_option("dir", *check_dir, "Policy pack directory")->required();
  check->callback([check_dir, &exit_code] { exit_code = RunCheck(*check_dir); });

  auto cov_dir = std::make_shared<std::string>();
  auto cov_json = std::make_shared<bool>(false);
  CLI::App* coverage = policy->add_subcommand(
      "coverage", "Per regulation: clauses total/executable/recorded/citable/missing");
  coverage->add_option("dir", *cov_dir, "Policy pack directory")->required();
  coverage->add_flag("--json", *cov_json, "Machine-readable output");
  coverage->callback(
      [cov_dir, cov_json, &exit_code] { exit_code = RunCoverage(*cov_dir, *cov_json); });

  auto clause = std::make_shared<std::string>();
  auto explain_dir = std::make_shared<std::string>();
  CLI::App* explain =
      policy->add_subcommand("explain", "Show a clause and the rules implementing it");
  explain->add_option("clause", *clause, "Clause id, e.g. \"R12 §四(二)2\"")->required();
  explain->add_option("--policies", *explain_dir,
                      "Policy pack directory (default: $ZHIDU_POLICIES or policies/cn-default)");
  explain->callback([clause, explain_dir, &exit_code] {
    exit_code = RunExplain(*clause, explain_dir->empty() ? DefaultPolicyDir() : *explain_dir);
  });

  auto perm_dir = std::make_shared<std::string>();
  CLI::App* permissions = policy->add_subcommand(
      "permissions", "List the permissions a pack's roles may hold (docs/policy_format.md §3)");
  permissions->add_option("--policies", *perm_dir,
                          "Also show which roles of this pack hold each permission");
  permissions->callback([perm_dir, &exit_code] { exit_code = RunPermissions(*perm_dir); });
}

}  // namespace zhidu::app
