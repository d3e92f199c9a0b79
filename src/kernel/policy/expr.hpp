// Sandboxed expressions (Lua 5.4) for conditions and formulas.
//
// An expression is compiled once, at pack load, against a typed context (names and their types);
// a syntax error is a load error. At run time it sees only its context values and a whitelisted
// library (math, string without dump, table, utf8, and the pure base functions) — no io, os,
// require, load, dofile, debug, pcall, metatables or globals writes. Every evaluation is bounded by
// an instruction budget and a memory cap; exceeding either is an error, never a hang or a crash.
// Thread-safe: evaluations of expressions sharing an engine are serialised by the engine's mutex.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"

namespace zhidu::policy {

enum class ValueType { kBool, kNumber, kString, kStringList };

// A context value: what an expression may read.
using Value = std::variant<bool, double, std::string, std::vector<std::string>>;

// Declared names of a context: "applicant.married" -> kBool. Dotted names become nested tables.
using ContextSchema = std::map<std::string, ValueType, std::less<>>;
using Context = std::map<std::string, Value, std::less<>>;

struct ExprLimits {
  long instructions = 1'000'000;   // VM instructions per evaluation
  size_t memory_bytes = 8u << 20;  // bytes the engine's Lua state may hold
};

class ExprEngine;

class Expr {
 public:
  // Compiles `source` (an expression, or statements ending in `return`) for `schema` and checks
  // it with a dry run on zero values: unknown names and wrong result types are compile errors.
  static Result<Expr> Compile(std::shared_ptr<ExprEngine> engine, std::string source,
                              ContextSchema schema, ValueType result);

  Result<bool> EvalBool(const Context& ctx) const;
  Result<double> EvalNumber(const Context& ctx) const;
  const std::string& source() const { return source_; }
  ValueType result_type() const { return result_; }

 private:
  Expr() = default;
  Result<Value> Eval(const Context& ctx) const;
  std::shared_ptr<ExprEngine> engine_;
  std::shared_ptr<int> ref_;  // Lua registry reference of the compiled chunk; released on last copy
  std::string source_;
  ContextSchema schema_;
  ValueType result_ = ValueType::kBool;
};

// Owns one sandboxed Lua state. Create with MakeEngine.
std::shared_ptr<ExprEngine> MakeExprEngine(ExprLimits limits = {});

// Runs a raw chunk in the sandbox with an empty context; for tests of the sandbox itself.
Result<Value> RunSandboxed(ExprEngine& engine, std::string_view chunk);

}  // namespace zhidu::policy
