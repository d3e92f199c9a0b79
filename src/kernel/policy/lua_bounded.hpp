// The expression sandbox's budget and the library functions that charge it (internal to expr.cpp).
//
// Lua's count hook fires only between VM instructions, so a C function that loops inside itself
// is not bounded by it: a backtracking pattern ran for 67 s as one instruction. The functions
// that can loop without returning to the VM are replaced by versions that charge every step to
// the same budget as the hook: string.find, match, gmatch and gsub (a matcher written for this,
// with Lua 5.4's pattern semantics), string.rep and table.move.
#pragma once

#include <lua.hpp>

namespace zhidu::policy::sandbox {

// One evaluation's allowance. Owned by a Lua state; one evaluation at a time per state.
struct Budget {
  long steps_left = 0;     // VM instructions and pattern steps still allowed
  long steps_limit = 0;    // for the message
  double deadline_s = 0;   // MonotonicSeconds() after which the evaluation stops
  long since_clock = 0;    // steps since the clock was last read
  long time_limit_ms = 0;  // for the message
};

// Takes `steps` from `budget`; raises a Lua error (does not return) when the steps or the time
// are spent. Reads the clock once per 1,000 steps.
void Charge(lua_State* L, Budget& budget, long steps);

// Replaces string.find, string.match, string.gmatch, string.gsub, string.rep and table.move in
// the state's library tables with versions charging `*budget`, which must outlive the state.
void InstallBoundedFunctions(lua_State* L, Budget* budget);

}  // namespace zhidu::policy::sandbox
