#pragma once
// What the planner's tests compare: the kinds of a service plan's steps, in order.
#include <vector>

#include "compose/plan/diff.hpp"

namespace berth::test {

inline std::vector<plan::ActionKind> step_kinds(const plan::ServicePlan& s) {
  std::vector<plan::ActionKind> out;
  for (const auto& c : s.containers)
    for (const auto& a : c.steps) out.push_back(a.kind);
  return out;
}

}  // namespace berth::test
