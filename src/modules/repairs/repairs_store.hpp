// The repairs' statements (repairs_store.cpp), written once for both backends on store::Sql. The
// table (repairs) is the store's migration 12: it predates the module kit and stays there
// (docs/architecture.md, Storage). Photos stay in the store (kernel/photos).
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "modules/repairs/repairs_types.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::repairs::db {

Result<store::Id> InsertRepair(store::Sql& sql, const Repair& v);
Result<Repair> GetRepair(store::Sql& sql, store::Id id);
// Moves a repair from state `from` (compare-and-set) and writes assignee_role, assignee_person,
// state, note, history, fixed_at, closed_at, updated_at. kFailedPrecondition when its state is
// no longer `from`; kNotFound when missing.
Result<void> UpdateRepair(store::Sql& sql, const Repair& v, const std::string& from);
// Keyset page by id, ascending.
Result<std::vector<Repair>> ListRepairs(store::Sql& sql, const RepairFilter& f,
                                        store::PageRequest page);

}  // namespace zhidu::repairs::db
