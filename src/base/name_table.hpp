// The names of an enum's values as written in the database and the API: one table per enum,
// read both ways. A value missing from its table reads as the table's first name (a programming
// error the tables' tests would show); an unknown name parses to nullopt.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace zhidu {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <typename E, size_t N>
std::string_view NameIn(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return table[0].second;
}

template <typename E, size_t N>
std::optional<E> ParseIn(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace zhidu
