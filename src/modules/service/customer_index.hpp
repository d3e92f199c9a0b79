// The customer search index (service migration 14; README.md, "Customer search"): written by the
// customer's own writes (Service::CreateCustomer, UpdateCustomer) and, for customers written
// before it existed, at start (Service::IndexTickets). Apart from service.hpp so that only its two
// users rebuild when it changes.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/sql.hpp"

namespace zhidu::service::db {

// (Re)writes customer `id`'s index row from its name and phones.
Result<void> IndexCustomer(store::Sql& sql, store::Id id, const std::string& name,
                           const std::vector<std::string>& phones);
// Up to `limit` customers after `after` the index lacks.
Result<std::vector<store::Id>> UnindexedCustomers(store::Sql& sql, store::Id after, int limit);

}  // namespace zhidu::service::db
