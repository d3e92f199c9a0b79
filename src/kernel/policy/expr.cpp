#include "kernel/policy/expr.hpp"

#include <cstdlib>
#include <lua.hpp>
#include <mutex>

namespace zhidu::policy {

class ExprEngine {
 public:
  explicit ExprEngine(ExprLimits limits) : limits_(limits) {
    L_ = lua_newstate(&ExprEngine::Alloc, this);
    if (L_ == nullptr) return;
    // Only the pure libraries; io, os, package, debug and coroutine are never opened.
    luaL_requiref(L_, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L_, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L_, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L_, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L_, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L_, 5);
    // string.dump is reachable through the string metatable ("":dump): remove it at the source.
    lua_getglobal(L_, "string");
    lua_pushnil(L_);
    lua_setfield(L_, -2, "dump");
    lua_pop(L_, 1);
    // The whitelist every expression environment reads through (read-only proxy below).
    lua_newtable(L_);
    static constexpr const char* kBase[] = {"assert", "error",    "ipairs",   "next",
                                            "pairs",  "select",   "tonumber", "tostring",
                                            "type",   "rawequal", "rawlen"};
    for (const char* name : kBase) {
      lua_getglobal(L_, name);
      lua_setfield(L_, -2, name);
    }
    for (const char* lib : {"string", "table", "math", "utf8"}) {
      lua_getglobal(L_, lib);
      lua_setfield(L_, -2, lib);
    }
    safe_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
    // Drop the dangerous base functions from the real globals too.
    for (const char* name :
         {"dofile", "loadfile", "load", "require", "collectgarbage", "print", "setmetatable",
          "getmetatable", "rawset", "rawget", "pcall", "xpcall"}) {
      lua_pushnil(L_);
      lua_setglobal(L_, name);
    }
  }
  ~ExprEngine() {
    if (L_ != nullptr) lua_close(L_);
  }
  ExprEngine(const ExprEngine&) = delete;
  ExprEngine& operator=(const ExprEngine&) = delete;

  lua_State* state() { return L_; }
  std::mutex& mutex() { return mu_; }
  int safe_ref() const { return safe_ref_; }
  const ExprLimits& limits() const { return limits_; }

  // Arms the instruction budget for one evaluation.
  void BeginRun() {
    steps_left_ = limits_.instructions;
    lua_sethook(L_, &ExprEngine::Hook, LUA_MASKCOUNT, kHookEvery);
  }
  void EndRun() { lua_sethook(L_, nullptr, 0, 0); }

 private:
  static constexpr int kHookEvery = 1000;

  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
    auto* self = static_cast<ExprEngine*>(ud);
    size_t old = ptr == nullptr ? 0 : osize;
    if (nsize == 0) {
      self->used_ -= old;
      std::free(ptr);
      return nullptr;
    }
    if (nsize > old && self->used_ + (nsize - old) > self->limits_.memory_bytes) return nullptr;
    void* p = std::realloc(ptr, nsize);
    if (p != nullptr) self->used_ = self->used_ - old + nsize;
    return p;
  }

  static void Hook(lua_State* L, lua_Debug*) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    auto* self = static_cast<ExprEngine*>(ud);
    self->steps_left_ -= kHookEvery;
    if (self->steps_left_ <= 0) {
      // Keep firing on every count so an error handler inside the chunk cannot resume.
      luaL_error(L, "instruction limit exceeded (%d)",
                 static_cast<int>(self->limits_.instructions));
    }
  }

  lua_State* L_ = nullptr;
  ExprLimits limits_;
  size_t used_ = 0;
  long steps_left_ = 0;
  int safe_ref_ = LUA_NOREF;
  std::mutex mu_;
};

std::shared_ptr<ExprEngine> MakeExprEngine(ExprLimits limits) {
  return std::make_shared<ExprEngine>(limits);
}

namespace {

const char* TypeName(ValueType t) {
  switch (t) {
    case ValueType::kBool:
      return "boolean";
    case ValueType::kNumber:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kStringList:
      return "list of strings";
  }
  return "?";
}

void PushValue(lua_State* L, const Value& v) {
  if (const bool* b = std::get_if<bool>(&v)) {
    lua_pushboolean(L, *b);
  } else if (const double* d = std::get_if<double>(&v)) {
    lua_pushnumber(L, *d);
  } else if (const std::string* s = std::get_if<std::string>(&v)) {
    lua_pushlstring(L, s->data(), s->size());
  } else {
    const auto& list = std::get<std::vector<std::string>>(v);
    lua_createtable(L, static_cast<int>(list.size()), 0);
    for (size_t i = 0; i < list.size(); ++i) {
      lua_pushlstring(L, list[i].data(), list[i].size());
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
  }
}

Value ZeroOf(ValueType t) {
  switch (t) {
    case ValueType::kBool:
      return false;
    case ValueType::kNumber:
      return 0.0;
    case ValueType::kString:
      return std::string();
    case ValueType::kStringList:
      return std::vector<std::string>{};
  }
  return false;
}

// __index of strict tables: reading an undeclared name is an error, not nil.
int StrictIndex(lua_State* L) {
  const char* key = lua_tostring(L, 2);
  return luaL_error(L, "unknown name '%s'", key != nullptr ? key : "?");
}
int ReadOnly(lua_State* L) { return luaL_error(L, "expressions cannot assign globals"); }

// Pushes a new strict table with a metatable whose __index is `fallback` (or an error).
void PushStrictTable(lua_State* L, int fallback_ref) {
  lua_newtable(L);
  lua_newtable(L);  // metatable
  if (fallback_ref != LUA_NOREF) {
    // __index: look up the whitelist, else error.
    lua_rawgeti(L, LUA_REGISTRYINDEX, fallback_ref);
    lua_pushcclosure(
        L,
        [](lua_State* L) -> int {
          lua_pushvalue(L, 2);
          lua_rawget(L, lua_upvalueindex(1));
          if (lua_isnil(L, -1)) return StrictIndex(L);
          return 1;
        },
        1);
  } else {
    lua_pushcfunction(L, StrictIndex);
  }
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadOnly);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

// Builds the _ENV table for one evaluation from `ctx` (missing names get zero values).
void PushEnv(lua_State* L, const ExprEngine& engine, const ContextSchema& schema,
             const Context& ctx) {
  PushStrictTable(L, engine.safe_ref());
  int env = lua_gettop(L);
  for (const auto& [name, type] : schema) {
    auto it = ctx.find(name);
    Value v = it != ctx.end() ? it->second : ZeroOf(type);
    // Walk/create nested tables for dotted names.
    lua_pushvalue(L, env);
    size_t start = 0;
    while (true) {
      size_t dot = name.find('.', start);
      std::string part =
          name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        lua_pushlstring(L, part.data(), part.size());
        PushValue(L, v);
        lua_rawset(L, -3);
        break;
      }
      lua_pushlstring(L, part.data(), part.size());
      lua_rawget(L, -2);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        PushStrictTable(L, LUA_NOREF);
        lua_pushlstring(L, part.data(), part.size());
        lua_pushvalue(L, -2);
        lua_rawset(L, -4);
      }
      lua_remove(L, -2);
      start = dot + 1;
    }
    lua_pop(L, 1);
  }
}

}  // namespace

Result<Expr> Expr::Compile(std::shared_ptr<ExprEngine> engine, std::string source,
                           ContextSchema schema, ValueType result) {
  if (engine == nullptr || engine->state() == nullptr) {
    return Fail(Errc::kInternal, "expression engine unavailable");
  }
  lua_State* L = engine->state();
  std::unique_lock lock(engine->mutex());
  // An expression is `return (<source>)`; a source that already returns is used as a chunk.
  std::string chunk = "return (" + source + "\n)";
  int rc = luaL_loadbufferx(L, chunk.data(), chunk.size(), "=expr", "t");
  if (rc != LUA_OK) {
    lua_pop(L, 1);
    rc = luaL_loadbufferx(L, source.data(), source.size(), "=expr", "t");
  }
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "syntax error";
    lua_pop(L, 1);
    return Fail(Errc::kInvalidArgument, "invalid expression: " + msg);
  }
  Expr e;
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  std::weak_ptr<ExprEngine> weak = engine;
  e.ref_ = std::shared_ptr<int>(new int(ref), [weak](int* r) {
    if (auto eng = weak.lock(); eng && eng->state() != nullptr) {
      std::lock_guard lock(eng->mutex());
      luaL_unref(eng->state(), LUA_REGISTRYINDEX, *r);
    }
    delete r;
  });
  e.engine_ = std::move(engine);
  e.source_ = std::move(source);
  e.schema_ = std::move(schema);
  e.result_ = result;
  lock.unlock();
  // Dry run on zero values: catches unknown names and a wrong result type on the taken path.
  auto dry = e.Eval({});
  if (!dry) return Fail(dry.error());
  return e;
}

Result<Value> Expr::Eval(const Context& ctx) const {
  lua_State* L = engine_->state();
  std::lock_guard lock(engine_->mutex());
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, *ref_);
  PushEnv(L, *engine_, schema_, ctx);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);  // _ENV is upvalue 1 of a main chunk
  engine_->BeginRun();
  int rc = lua_pcall(L, 0, 1, 0);
  engine_->EndRun();
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "error";
    if (rc == LUA_ERRMEM) msg = "memory limit exceeded";
    lua_settop(L, top);
    return Fail(Errc::kInvalidArgument, "expression failed: " + msg);
  }
  Value out;
  bool ok = true;
  switch (result_) {
    case ValueType::kBool:
      ok = lua_isboolean(L, -1);
      if (ok) out = static_cast<bool>(lua_toboolean(L, -1));
      break;
    case ValueType::kNumber:
      ok = lua_type(L, -1) == LUA_TNUMBER;
      if (ok) out = static_cast<double>(lua_tonumber(L, -1));
      break;
    case ValueType::kString:
    case ValueType::kStringList:
      ok = lua_type(L, -1) == LUA_TSTRING;
      if (ok) out = std::string(lua_tostring(L, -1));
      break;
  }
  std::string got = luaL_typename(L, -1);
  lua_settop(L, top);
  if (!ok) {
    return Fail(Errc::kInvalidArgument,
                std::string("expression must yield a ") + TypeName(result_) + ", got " + got);
  }
  return out;
}

Result<bool> Expr::EvalBool(const Context& ctx) const {
  ZHIDU_TRY(Value v, Eval(ctx));
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return Fail(Errc::kInvalidArgument, "expression is not boolean");
}

Result<double> Expr::EvalNumber(const Context& ctx) const {
  ZHIDU_TRY(Value v, Eval(ctx));
  if (const double* d = std::get_if<double>(&v)) return *d;
  return Fail(Errc::kInvalidArgument, "expression is not a number");
}

Result<Value> RunSandboxed(ExprEngine& engine, std::string_view chunk) {
  lua_State* L = engine.state();
  std::lock_guard lock(engine.mutex());
  int top = lua_gettop(L);
  int rc = luaL_loadbufferx(L, chunk.data(), chunk.size(), "=sandbox", "t");
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "syntax error";
    lua_settop(L, top);
    return Fail(Errc::kInvalidArgument, msg);
  }
  PushEnv(L, engine, {}, {});
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  engine.BeginRun();
  rc = lua_pcall(L, 0, 1, 0);
  engine.EndRun();
  if (rc != LUA_OK) {
    std::string msg = rc == LUA_ERRMEM                 ? "memory limit exceeded"
                      : lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1)
                                                       : "error";
    lua_settop(L, top);
    return Fail(Errc::kResourceExhausted, msg);
  }
  Value out = false;
  if (lua_isboolean(L, -1))
    out = static_cast<bool>(lua_toboolean(L, -1));
  else if (lua_type(L, -1) == LUA_TNUMBER)
    out = static_cast<double>(lua_tonumber(L, -1));
  else if (lua_type(L, -1) == LUA_TSTRING)
    out = std::string(lua_tostring(L, -1));
  lua_settop(L, top);
  return out;
}

}  // namespace zhidu::policy
