#pragma once
// What the generic JSON conversion (json_read.cpp, json_write.cpp) knows about model types: which
// are structs with a field list, which carry x-* extensions, and the container shapes it walks.
// Internal to compose/model.
#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/model/values.hpp"

namespace berth::model::detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T>
struct IsStringMap<std::map<std::string, T>> : std::true_type {};

struct NoopVisitor {
  template <class F>
  void operator()(const char*, F&, Field = {}) const {}
};

/// A struct of the model: it has a field list.
template <class T>
concept Reflected = requires(T& t) {
  fields(t, NoopVisitor{});
};

template <class T>
concept HasExtensions = requires(T& t) {
  { t.extensions } -> std::convertible_to<const nlohmann::json&>;
};

}  // namespace berth::model::detail
