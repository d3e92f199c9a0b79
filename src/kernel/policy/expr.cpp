#include "kernel/policy/expr.hpp"

#include <atomic>
#include <cstdlib>
#include <lua.hpp>
#include <mutex>
#include <unordered_map>

#include "base/clock.hpp"
#include "kernel/policy/lua_bounded.hpp"

namespace zhidu::policy {

namespace {

constexpr int kHookEvery = 1000;  // VM instructions between two calls of the count hook

// The libraries an expression reads, as tables it cannot change: a proxy per library whose
// __index is the library, __newindex an error and __pairs iterates the library. Without them
// `math.floor = f` in one expression changed every later answer that used math.floor.
int LibraryReadOnly(lua_State* L) {
  return luaL_error(L, "expressions cannot change the standard library");
}
int LibraryPairs(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  lua_pushvalue(L, lua_upvalueindex(2));  // the library
  lua_pushnil(L);
  return 3;
}
void PushReadOnlyProxy(lua_State* L, const char* lib) {
  lua_newtable(L);
  lua_newtable(L);  // metatable
  lua_getglobal(L, lib);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, LibraryReadOnly);
  lua_setfield(L, -2, "__newindex");
  lua_getglobal(L, "next");
  lua_getglobal(L, lib);
  lua_pushcclosure(L, LibraryPairs, 2);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

}  // namespace

// One sandboxed Lua state and the chunks compiled in it. Used by one evaluation at a time (the
// engine hands it out); never shared between threads at once.
class LuaSlot {
 public:
  explicit LuaSlot(const ExprLimits& limits) : limits_(limits) {
    L_ = lua_newstate(&LuaSlot::Alloc, this);
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
    // Pattern functions, rep and table.move charge the budget (lua_bounded.hpp); installed in the
    // library tables themselves, so ("x"):find(...) reaches them too.
    sandbox::InstallBoundedFunctions(L_, &budget_);
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
      PushReadOnlyProxy(L_, lib);
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
  ~LuaSlot() {
    if (L_ != nullptr) lua_close(L_);
  }
  LuaSlot(const LuaSlot&) = delete;
  LuaSlot& operator=(const LuaSlot&) = delete;

  lua_State* state() { return L_; }
  int safe_ref() const { return safe_ref_; }

  // Pushes the compiled chunk of expression `id`, loading `text` into this state the first time.
  // Returns the load's error message, or empty.
  std::string PushChunk(uint64_t id, const std::string& text) {
    if (auto it = chunks_.find(id); it != chunks_.end()) {
      lua_rawgeti(L_, LUA_REGISTRYINDEX, it->second);
      return {};
    }
    int rc = luaL_loadbufferx(L_, text.data(), text.size(), "=expr", "t");
    if (rc != LUA_OK) {
      std::string msg = lua_tostring(L_, -1) != nullptr ? lua_tostring(L_, -1) : "syntax error";
      lua_pop(L_, 1);
      return msg;
    }
    lua_pushvalue(L_, -1);
    chunks_.emplace(id, luaL_ref(L_, LUA_REGISTRYINDEX));
    return {};
  }

  // Arms the budget (instructions, pattern steps, time) and the allocation cap for one run.
  void BeginRun() {
    budget_.steps_left = limits_.instructions;
    budget_.steps_limit = limits_.instructions;
    budget_.since_clock = 0;
    budget_.time_limit_ms = limits_.time_ms;
    budget_.deadline_s = MonotonicSeconds() + static_cast<double>(limits_.time_ms) / 1000.0;
    running_ = true;
    lua_sethook(L_, &LuaSlot::Hook, LUA_MASKCOUNT, kHookEvery);
  }
  void EndRun() {
    lua_sethook(L_, nullptr, 0, 0);
    running_ = false;
  }

 private:
  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
    auto* self = static_cast<LuaSlot*>(ud);
    size_t old = ptr == nullptr ? 0 : osize;
    if (nsize == 0) {
      self->used_ -= old;
      std::free(ptr);
      return nullptr;
    }
    if (nsize > old) {
      if (self->used_ + (nsize - old) > self->limits_.memory_bytes) return nullptr;
      // While an expression runs, no single block (a string, a table's array) may exceed the
      // cap, so no one VM instruction compares or scans more than that many bytes.
      if (self->running_ && nsize > self->limits_.largest_block_bytes) return nullptr;
    }
    void* p = std::realloc(ptr, nsize);
    if (p != nullptr) self->used_ = self->used_ - old + nsize;
    return p;
  }

  static void Hook(lua_State* L, lua_Debug*) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    // Keeps firing on every count once spent, so nothing inside the chunk can resume.
    sandbox::Charge(L, static_cast<LuaSlot*>(ud)->budget_, kHookEvery);
  }

  lua_State* L_ = nullptr;
  ExprLimits limits_;
  size_t used_ = 0;
  bool running_ = false;
  sandbox::Budget budget_;
  int safe_ref_ = LUA_NOREF;
  std::unordered_map<uint64_t, int> chunks_;  // expression id -> registry reference
};

// A pool of Lua states: an evaluation takes one, so evaluations run side by side, one per
// state; a state is created when every existing one is in use. Thread-safe.
class ExprEngine {
 public:
  explicit ExprEngine(ExprLimits limits) : limits_(limits) {}
  ExprEngine(const ExprEngine&) = delete;
  ExprEngine& operator=(const ExprEngine&) = delete;

  // Hands a state back to the pool when it goes.
  class Lease {
   public:
    Lease(ExprEngine* engine, std::unique_ptr<LuaSlot> slot)
        : engine_(engine), slot_(std::move(slot)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (slot_ != nullptr) engine_->Return(std::move(slot_));
    }
    LuaSlot* operator->() { return slot_.get(); }
    bool ok() const { return slot_ != nullptr && slot_->state() != nullptr; }

   private:
    ExprEngine* engine_;
    std::unique_ptr<LuaSlot> slot_;
  };

  Lease Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto slot = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(slot));
      }
    }
    return Lease(this, std::make_unique<LuaSlot>(limits_));
  }
  uint64_t NewId() { return next_id_.fetch_add(1); }
  size_t idle_states() {
    std::lock_guard lock(mu_);
    return idle_.size();
  }

 private:
  void Return(std::unique_ptr<LuaSlot> slot) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(slot));
  }

  ExprLimits limits_;
  std::atomic<uint64_t> next_id_{1};
  std::mutex mu_;
  std::vector<std::unique_ptr<LuaSlot>> idle_;  // guarded by mu_
};

std::shared_ptr<ExprEngine> MakeExprEngine(ExprLimits limits) {
  return std::make_shared<ExprEngine>(limits);
}

size_t IdleStates(ExprEngine& engine) { return engine.idle_states(); }

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
void PushEnv(lua_State* L, int safe_ref, const ContextSchema& schema, const Context& ctx) {
  PushStrictTable(L, safe_ref);
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
  if (engine == nullptr) return Fail(Errc::kInternal, "expression engine unavailable");
  Expr e;
  e.id_ = engine->NewId();
  {
    auto slot = engine->Take();
    if (!slot.ok()) return Fail(Errc::kInternal, "expression engine unavailable");
    lua_State* L = slot->state();
    // An expression is `return (<source>)`; a source that already returns is used as a chunk.
    // The text that compiled is kept: other states of the pool load it when they first run it.
    std::string chunk = "return (" + source + "\n)";
    if (!slot->PushChunk(e.id_, chunk).empty()) {
      chunk = source;
      std::string msg = slot->PushChunk(e.id_, chunk);
      if (!msg.empty()) return Fail(Errc::kInvalidArgument, "invalid expression: " + msg);
    }
    lua_pop(L, 1);
    e.chunk_ = std::make_shared<const std::string>(std::move(chunk));
  }
  e.engine_ = std::move(engine);
  e.source_ = std::move(source);
  e.schema_ = std::move(schema);
  e.result_ = result;
  // Dry run on zero values: catches unknown names and a wrong result type on the taken path.
  auto dry = e.Eval({});
  if (!dry) return Fail(dry.error());
  return e;
}

Result<Value> Expr::Eval(const Context& ctx) const {
  auto slot = engine_->Take();
  if (!slot.ok()) return Fail(Errc::kInternal, "expression engine unavailable");
  lua_State* L = slot->state();
  int top = lua_gettop(L);
  if (std::string msg = slot->PushChunk(id_, *chunk_); !msg.empty()) {
    return Fail(Errc::kInternal, "expression failed to load: " + msg);  // memory: it loaded once
  }
  PushEnv(L, slot->safe_ref(), schema_, ctx);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);  // _ENV is upvalue 1 of a main chunk
  slot->BeginRun();
  int rc = lua_pcall(L, 0, 1, 0);
  slot->EndRun();
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
  auto slot = engine.Take();
  if (!slot.ok()) return Fail(Errc::kInternal, "expression engine unavailable");
  lua_State* L = slot->state();
  int top = lua_gettop(L);
  int rc = luaL_loadbufferx(L, chunk.data(), chunk.size(), "=sandbox", "t");
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "syntax error";
    lua_settop(L, top);
    return Fail(Errc::kInvalidArgument, msg);
  }
  PushEnv(L, slot->safe_ref(), {}, {});
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  slot->BeginRun();
  rc = lua_pcall(L, 0, 1, 0);
  slot->EndRun();
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
