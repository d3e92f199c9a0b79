// Sandboxed expressions (Lua 5.4) for conditions and formulas.
//
// An expression is compiled once, at pack load, against a typed context (names and their types);
// a syntax error is a load error. At run time it sees only its context values and a whitelisted
// library (math, string without dump, table, utf8, and the pure base functions) — no io, os,
// require, load, dofile, debug, pcall, metatables or globals writes, and the library tables are
// read-only (one expression cannot change another's math.floor). Every evaluation is bounded by a
// step budget — VM instructions, and the steps of the pattern functions, string.rep and
// table.move, which loop inside C where Lua's count hook never fires (lua_bounded.hpp) — a time
// limit, a memory cap and a cap on any one block; exceeding any is an error, never a hang.
// Thread-safe: an engine is a pool of Lua states and each evaluation takes one, so evaluations
// run side by side (no lock is held while an expression runs).
#pragma once

#include <cstdint>
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
  long instructions = 1'000'000;           // VM instructions + pattern steps per evaluation
  size_t memory_bytes = 8u << 20;          // bytes each of the engine's Lua states may hold
  size_t largest_block_bytes = 64u << 10;  // one allocation while an expression runs
  long time_ms = 250;                      // wall time per evaluation (read every 1,000 steps)
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
  uint64_t id_ = 0;                           // the chunk's key in each of the engine's states
  std::shared_ptr<const std::string> chunk_;  // the text that compiled, for states that lack it
  std::string source_;
  ContextSchema schema_;
  ValueType result_ = ValueType::kBool;
};

// A pool of sandboxed Lua states, one per concurrent evaluation. Compiled chunks live until the
// engine goes (one engine per loaded pack). Create with MakeExprEngine.
std::shared_ptr<ExprEngine> MakeExprEngine(ExprLimits limits = {});

// How many Lua states the engine holds idle; for tests.
size_t IdleStates(ExprEngine& engine);

// Runs a raw chunk in the sandbox with an empty context; for tests of the sandbox itself.
Result<Value> RunSandboxed(ExprEngine& engine, std::string_view chunk);

}  // namespace zhidu::policy
