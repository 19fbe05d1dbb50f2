#pragma once
// The image a service runs: its `image:`, or for a service that is only built, the name docker
// compose tags the build with, `<project>-<service>`.
#include <string>

#include "compose/model/project.hpp"

namespace berth::model {

inline std::string service_image(const Project& project, const std::string& service) {
  const Service& svc = project.services.at(service);
  return svc.image.empty() ? project.name + "-" + service : svc.image;
}

}  // namespace berth::model
