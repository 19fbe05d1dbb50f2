#pragma once
// Durations the way docker's Go code words them (github.com/docker/go-units HumanDuration), shared by
// `ps` ("Up 2 hours", "About an hour ago") and `images` ("2 months ago") so both agree with docker.
#include <string>

namespace berth::gocompat {

/// go-units HumanDuration of `seconds` (fraction allowed; negative counts as 0): "Less than a second",
/// "1 second", "47 seconds", "About a minute", "35 minutes", "About an hour", "2 hours" (hours rounded
/// to nearest, as Go's int(d.Hours()+0.5)), "13 days", "6 weeks", "23 months", "3 years".
std::string human_duration(double seconds);

}  // namespace berth::gocompat
