#include "kernel/policy/lua_bounded.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>

#include "base/clock.hpp"

// Everything below may be left by a Lua error (a longjmp through these frames): no object with a
// destructor lives on these stacks.

namespace zhidu::policy::sandbox {

namespace {

constexpr long kClockEvery = 1000;

}  // namespace

void Charge(lua_State* L, Budget& budget, long steps) {
  budget.steps_left -= steps;
  if (budget.steps_left < 0) {
    luaL_error(L, "instruction limit exceeded (%d)", static_cast<int>(budget.steps_limit));
  }
  budget.since_clock += steps;
  if (budget.since_clock >= kClockEvery) {
    budget.since_clock = 0;
    if (MonotonicSeconds() > budget.deadline_s) {
      luaL_error(L, "time limit exceeded (%d ms)", static_cast<int>(budget.time_limit_ms));
    }
  }
}

namespace {

// ---- The matcher: Lua 5.4 pattern semantics (manual §6.4.1), every step charged. ----

constexpr int kMaxCaptures = 32;       // LUA_MAXCAPTURES
constexpr int kMaxDepth = 200;         // nested match calls, as Lua's MAXCCALLS
constexpr ptrdiff_t kUnfinished = -1;  // capture opened, not closed
constexpr ptrdiff_t kPosition = -2;    // position capture "()"
constexpr char kEsc = '%';

struct Capture {
  const char* init;
  ptrdiff_t len;
};

struct MatchState {
  lua_State* L;
  Budget* budget;
  const char* src_init;
  const char* src_end;
  const char* p_end;
  int depth;  // match calls still allowed below this one
  int level;  // captures opened
  Capture capture[kMaxCaptures];
};

Budget* BudgetOf(lua_State* L) {
  return static_cast<Budget*>(lua_touserdata(L, lua_upvalueindex(1)));
}

// One step: the common case is a decrement and two compares; Charge only when something is due.
inline void Step(MatchState* ms) {
  Budget& b = *ms->budget;
  if (--b.steps_left >= 0 && ++b.since_clock < kClockEvery) return;
  Charge(ms->L, b, 0);
}

bool ClassMatches(int c, int cl) {
  bool res;
  switch (std::tolower(cl)) {
    case 'a':
      res = std::isalpha(c) != 0;
      break;
    case 'c':
      res = std::iscntrl(c) != 0;
      break;
    case 'd':
      res = std::isdigit(c) != 0;
      break;
    case 'g':
      res = std::isgraph(c) != 0;
      break;
    case 'l':
      res = std::islower(c) != 0;
      break;
    case 'p':
      res = std::ispunct(c) != 0;
      break;
    case 's':
      res = std::isspace(c) != 0;
      break;
    case 'u':
      res = std::isupper(c) != 0;
      break;
    case 'w':
      res = std::isalnum(c) != 0;
      break;
    case 'x':
      res = std::isxdigit(c) != 0;
      break;
    default:
      return cl == c;
  }
  return std::isupper(cl) ? !res : res;
}

// `p` at '[', `ec` at its closing ']'.
bool SetMatches(MatchState* ms, int c, const char* p, const char* ec) {
  bool sig = true;
  if (p[1] == '^') {
    sig = false;
    ++p;
  }
  while (++p < ec) {
    Step(ms);
    if (*p == kEsc) {
      ++p;
      if (ClassMatches(c, static_cast<unsigned char>(*p))) return sig;
    } else if (p[1] == '-' && p + 2 < ec) {
      p += 2;
      if (static_cast<unsigned char>(p[-2]) <= c && c <= static_cast<unsigned char>(*p)) return sig;
    } else if (static_cast<unsigned char>(*p) == c) {
      return sig;
    }
  }
  return !sig;
}

// The end of the single-character class starting at `p`.
const char* ClassEnd(MatchState* ms, const char* p) {
  char c = *p++;
  if (c == kEsc) {
    if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (*p == '^') ++p;
    do {  // look for the ']'; the pattern is NUL-terminated, so *p_end is readable
      if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
      if (*(p++) == kEsc && p < ms->p_end) ++p;
    } while (*p != ']');
    return p + 1;
  }
  return p;
}

bool SingleMatches(MatchState* ms, const char* s, const char* p, const char* ep) {
  if (s >= ms->src_end) return false;
  int c = static_cast<unsigned char>(*s);
  switch (*p) {
    case '.':
      return true;
    case kEsc:
      return ClassMatches(c, static_cast<unsigned char>(p[1]));
    case '[':
      return SetMatches(ms, c, p, ep - 1);
    default:
      return static_cast<unsigned char>(*p) == c;
  }
}

const char* Match(MatchState* ms, const char* s, const char* p);

const char* MatchBalance(MatchState* ms, const char* s, const char* p) {
  if (p >= ms->p_end - 1) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= ms->src_end || *s != *p) return nullptr;
  char open = *p, close = p[1];
  int depth = 1;
  while (++s < ms->src_end) {
    Step(ms);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      ++depth;
    }
  }
  return nullptr;
}

const char* MaxExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (SingleMatches(ms, s + i, p, ep)) {
    Step(ms);
    ++i;
  }
  while (i >= 0) {  // try the rest with the longest repetition first
    if (const char* res = Match(ms, s + i, ep + 1)) return res;
    --i;
  }
  return nullptr;
}

const char* MinExpand(MatchState* ms, const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = Match(ms, s, ep + 1)) return res;
    if (!SingleMatches(ms, s, p, ep)) return nullptr;
    ++s;
  }
}

const char* StartCapture(MatchState* ms, const char* s, const char* p, ptrdiff_t what) {
  if (ms->level >= kMaxCaptures) luaL_error(ms->L, "too many captures");
  ms->capture[ms->level].init = s;
  ms->capture[ms->level].len = what;
  ms->level++;
  const char* res = Match(ms, s, p);
  if (res == nullptr) ms->level--;
  return res;
}

const char* EndCapture(MatchState* ms, const char* s, const char* p) {
  int l = ms->level - 1;
  while (l >= 0 && ms->capture[l].len != kUnfinished) --l;
  if (l < 0) luaL_error(ms->L, "invalid pattern capture");
  ms->capture[l].len = s - ms->capture[l].init;
  const char* res = Match(ms, s, p);
  if (res == nullptr) ms->capture[l].len = kUnfinished;
  return res;
}

int CheckCapture(MatchState* ms, int l) {
  l -= '1';
  if (l < 0 || l >= ms->level || ms->capture[l].len == kUnfinished) {
    luaL_error(ms->L, "invalid capture index %%%d", l + 1);
  }
  return l;
}

const char* MatchCapture(MatchState* ms, const char* s, int l) {
  l = CheckCapture(ms, l);
  // A position capture's length is negative: as in Lua, it matches nothing (read as huge).
  size_t len = static_cast<size_t>(ms->capture[l].len);
  Charge(ms->L, *ms->budget, 1 + (ms->capture[l].len > 0 ? ms->capture[l].len / 64 : 0));
  if (static_cast<size_t>(ms->src_end - s) >= len &&
      std::memcmp(ms->capture[l].init, s, len) == 0) {
    return s + len;
  }
  return nullptr;
}

const char* Match(MatchState* ms, const char* s, const char* p) {
  if (ms->depth-- == 0) luaL_error(ms->L, "pattern too complex");
  for (;;) {
    Step(ms);
    if (p == ms->p_end) break;
    switch (*p) {
      case '(':
        s = p[1] == ')' ? StartCapture(ms, s, p + 2, kPosition)
                        : StartCapture(ms, s, p + 1, kUnfinished);
        goto done;
      case ')':
        s = EndCapture(ms, s, p + 1);
        goto done;
      case '$':
        if (p + 1 != ms->p_end) goto single;
        s = s == ms->src_end ? s : nullptr;
        goto done;
      case kEsc:
        switch (p[1]) {
          case 'b':
            s = MatchBalance(ms, s, p + 2);
            if (s == nullptr) goto done;
            p += 4;
            continue;
          case 'f': {
            p += 2;
            if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            const char* ep = ClassEnd(ms, p);
            int prev = s == ms->src_init ? '\0' : static_cast<unsigned char>(s[-1]);
            int cur = s < ms->src_end ? static_cast<unsigned char>(*s) : '\0';
            if (!SetMatches(ms, prev, p, ep - 1) && SetMatches(ms, cur, p, ep - 1)) {
              p = ep;
              continue;
            }
            s = nullptr;
            goto done;
          }
          case '0':
          case '1':
          case '2':
          case '3':
          case '4':
          case '5':
          case '6':
          case '7':
          case '8':
          case '9':
            s = MatchCapture(ms, s, static_cast<unsigned char>(p[1]));
            if (s == nullptr) goto done;
            p += 2;
            continue;
          default:
            goto single;
        }
      default:
      single : {
        const char* ep = ClassEnd(ms, p);
        if (!SingleMatches(ms, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') {  // accept the empty repetition
            p = ep + 1;
            continue;
          }
          s = nullptr;
          goto done;
        }
        switch (*ep) {
          case '?':
            if (const char* res = Match(ms, s + 1, ep + 1)) {
              s = res;
              goto done;
            }
            p = ep + 1;
            continue;
          case '+':
            s = MaxExpand(ms, s + 1, p, ep);
            goto done;
          case '*':
            s = MaxExpand(ms, s, p, ep);
            goto done;
          case '-':
            s = MinExpand(ms, s, p, ep);
            goto done;
          default:
            ++s;
            p = ep;
            continue;
        }
      }
    }
  }
done:
  ms->depth++;
  return s;
}

void Prepare(MatchState* ms, lua_State* L, Budget* budget, const char* s, size_t ls, const char* p,
             size_t lp) {
  ms->L = L;
  ms->budget = budget;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
}

void Reset(MatchState* ms) {
  ms->level = 0;
  ms->depth = kMaxDepth;
}

// Pushes capture `i` (or the whole match s..e when there are none and i == 0).
void PushCapture(MatchState* ms, int i, const char* s, const char* e) {
  if (i >= ms->level) {
    if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(ms->L, s, static_cast<size_t>(e - s));
    return;
  }
  ptrdiff_t l = ms->capture[i].len;
  if (l == kUnfinished) luaL_error(ms->L, "unfinished capture");
  if (l == kPosition) {
    lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
  } else {
    lua_pushlstring(ms->L, ms->capture[i].init, static_cast<size_t>(l));
  }
}

int PushCaptures(MatchState* ms, const char* s, const char* e) {
  int n = (ms->level == 0 && s != nullptr) ? 1 : ms->level;
  luaL_checkstack(ms->L, n, "too many captures");
  for (int i = 0; i < n; ++i) PushCapture(ms, i, s, e);
  return n;
}

// Lua's posrelat for an initial position: 1-based, negative counts from the end.
size_t StartIndex(lua_Integer pos, size_t len) {
  if (pos > 0) return static_cast<size_t>(pos);
  if (pos == 0) return 1;
  if (pos < -static_cast<lua_Integer>(len)) return 1;
  return len + static_cast<size_t>(pos) + 1;
}

bool HasSpecials(const char* p, size_t lp) {
  for (size_t i = 0; i < lp; ++i) {
    if (p[i] != '\0' && std::strchr("^$*+?.([%-", p[i]) != nullptr) return true;
  }
  return false;
}

// Plain search, charged one step per candidate position plus the bytes compared.
const char* FindPlain(lua_State* L, Budget* budget, const char* s, size_t ls, const char* p,
                      size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return nullptr;
  for (size_t i = 0; i + lp <= ls; ++i) {
    Charge(L, *budget, 1 + static_cast<long>(lp / 64));
    if (s[i] == p[0] && std::memcmp(s + i, p, lp) == 0) return s + i;
  }
  return nullptr;
}

int FindOrMatch(lua_State* L, bool find) {
  Budget* budget = BudgetOf(L);
  size_t ls, lp;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = StartIndex(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || !HasSpecials(p, lp))) {
    if (const char* at = FindPlain(L, budget, s + init, ls - init, p, lp)) {
      lua_pushinteger(L, static_cast<lua_Integer>(at - s) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>(at - s + lp));
      return 2;
    }
    luaL_pushfail(L);
    return 1;
  }
  MatchState ms;
  bool anchor = *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  Prepare(&ms, L, budget, s, ls, p, lp);
  for (size_t at = init; at <= ls && (at == init || !anchor); ++at) {
    const char* s1 = s + at;
    Reset(&ms);
    if (const char* e = Match(&ms, s1, p)) {
      if (find) {
        lua_pushinteger(L, static_cast<lua_Integer>(s1 - s) + 1);
        lua_pushinteger(L, static_cast<lua_Integer>(e - s));
        return PushCaptures(&ms, nullptr, nullptr) + 2;
      }
      return PushCaptures(&ms, s1, e);
    }
  }
  luaL_pushfail(L);
  return 1;
}

int Find(lua_State* L) { return FindOrMatch(L, true); }
int MatchFn(lua_State* L) { return FindOrMatch(L, false); }

// gmatch's iterator state, a full userdata; upvalues of the iterator: budget, s, p, this.
struct GmatchState {
  size_t pos;      // next start, offset into s
  ptrdiff_t last;  // end offset of the last match, or -1
};

int GmatchStep(lua_State* L) {
  Budget* budget = BudgetOf(L);
  size_t ls, lp;
  const char* s = lua_tolstring(L, lua_upvalueindex(2), &ls);
  const char* p = lua_tolstring(L, lua_upvalueindex(3), &lp);
  auto* gm = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(4)));
  MatchState ms;
  Prepare(&ms, L, budget, s, ls, p, lp);
  for (size_t at = gm->pos; at <= ls; ++at) {
    const char* src = s + at;
    Reset(&ms);
    const char* e = Match(&ms, src, p);
    if (e != nullptr && (gm->last < 0 || e != s + gm->last)) {
      gm->pos = static_cast<size_t>(e - s);
      gm->last = e - s;
      return PushCaptures(&ms, src, e);
    }
  }
  gm->pos = ls + 1;
  return 0;
}

int Gmatch(lua_State* L) {
  size_t ls;
  luaL_checklstring(L, 1, &ls);
  luaL_checkstring(L, 2);
  size_t init = StartIndex(luaL_optinteger(L, 3, 1), ls) - 1;
  lua_settop(L, 2);
  auto* gm = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  gm->pos = init > ls ? ls + 1 : init;
  gm->last = -1;
  lua_pushvalue(L, lua_upvalueindex(1));  // budget
  lua_insert(L, 1);                       // budget, s, p, state
  lua_pushcclosure(L, GmatchStep, 4);
  return 1;
}

void AddString(MatchState* ms, luaL_Buffer* b, const char* s, const char* e) {
  size_t l;
  lua_State* L = ms->L;
  const char* news = lua_tolstring(L, 3, &l);
  const char* end = news + l;
  for (const char* p = news; p < end; ++p) {
    if (*p != kEsc) {
      luaL_addchar(b, *p);
      continue;
    }
    ++p;
    if (*p == kEsc) {
      luaL_addchar(b, *p);
    } else if (*p == '0') {
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else if (std::isdigit(static_cast<unsigned char>(*p))) {
      PushCapture(ms, *p - '1', s, e);
      luaL_tolstring(L, -1, nullptr);
      lua_remove(L, -2);
      luaL_addvalue(b);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", kEsc);
    }
  }
}

void AddValue(MatchState* ms, luaL_Buffer* b, const char* s, const char* e, int tr) {
  lua_State* L = ms->L;
  Charge(L, *ms->budget, 1 + static_cast<long>((e - s) / 64));
  switch (tr) {
    case LUA_TFUNCTION: {
      lua_pushvalue(L, 3);
      int n = PushCaptures(ms, s, e);
      lua_call(L, n, 1);
      break;
    }
    case LUA_TTABLE:
      PushCapture(ms, 0, s, e);
      lua_gettable(L, 3);
      break;
    default:
      AddString(ms, b, s, e);
      return;
  }
  if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
    lua_pop(L, 1);
    luaL_addlstring(b, s, static_cast<size_t>(e - s));
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    luaL_addvalue(b);
  }
}

int Gsub(lua_State* L) {
  Budget* budget = BudgetOf(L);
  size_t srcl, lp;
  const char* src = luaL_checklstring(L, 1, &srcl);
  const char* p = luaL_checklstring(L, 2, &lp);
  const char* lastmatch = nullptr;
  int tr = lua_type(L, 3);
  lua_Integer max_s = luaL_optinteger(L, 4, static_cast<lua_Integer>(srcl) + 1);
  luaL_argexpected(
      L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
      "string/function/table");
  bool anchor = *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  lua_Integer n = 0;
  bool changed = false;
  MatchState ms;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  Prepare(&ms, L, budget, src, srcl, p, lp);
  while (n < max_s) {
    Reset(&ms);
    const char* e = Match(&ms, src, p);
    if (e != nullptr && e != lastmatch) {
      ++n;
      changed = true;
      AddValue(&ms, &b, src, e, tr);
      src = lastmatch = e;
    } else if (src < ms.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, src, static_cast<size_t>(ms.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

// string.rep, charged by the bytes it writes (and by its count, so rep('', 2^62) is not a
// 2^62-step loop: it returns "" at once).
int Rep(lua_State* L) {
  Budget* budget = BudgetOf(L);
  size_t l, lsep;
  const char* s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char* sep = luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || l + lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (l + lsep < l || l + lsep > (~static_cast<size_t>(0) >> 2) / static_cast<size_t>(n)) {
    return luaL_error(L, "resulting string too large");
  }
  size_t total = static_cast<size_t>(n) * l + static_cast<size_t>(n - 1) * lsep;
  Charge(L, *budget, 1 + static_cast<long>(n / 16) + static_cast<long>(total / 64));
  luaL_Buffer b;
  char* p = luaL_buffinitsize(L, &b, total);
  for (lua_Integer i = 0; i < n; ++i) {
    std::memcpy(p, s, l);
    p += l;
    if (lsep > 0 && i + 1 < n) {
      std::memcpy(p, sep, lsep);
      p += lsep;
    }
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

// table.move, charged one step per element before it moves any (the library's own loop runs
// up to 2^63 times on an empty table: table.move({}, 1, 1e15, 2)).
int Move(lua_State* L) {
  Budget* budget = BudgetOf(L);
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  if (e >= f) {
    // e - f + 1 may overflow; a count above the budget is refused either way.
    lua_Integer count = (f <= 0 && e > LUA_MAXINTEGER + f) ? LUA_MAXINTEGER : e - f + 1;
    Charge(L, *budget, static_cast<long>(std::min<lua_Integer>(count, budget->steps_left + 1)));
  }
  lua_pushvalue(L, lua_upvalueindex(2));  // the original table.move
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

void SetBounded(lua_State* L, const char* lib, const char* name, lua_CFunction fn, Budget* budget,
                bool with_original) {
  lua_getglobal(L, lib);
  lua_pushlightuserdata(L, budget);
  int upvalues = 1;
  if (with_original) {
    lua_getfield(L, -2, name);
    ++upvalues;
  }
  lua_pushcclosure(L, fn, upvalues);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace

void InstallBoundedFunctions(lua_State* L, Budget* budget) {
  SetBounded(L, LUA_STRLIBNAME, "find", Find, budget, false);
  SetBounded(L, LUA_STRLIBNAME, "match", MatchFn, budget, false);
  SetBounded(L, LUA_STRLIBNAME, "gmatch", Gmatch, budget, false);
  SetBounded(L, LUA_STRLIBNAME, "gsub", Gsub, budget, false);
  SetBounded(L, LUA_STRLIBNAME, "rep", Rep, budget, false);
  SetBounded(L, LUA_TABLIBNAME, "move", Move, budget, true);
}

}  // namespace zhidu::policy::sandbox
