#pragma once
// Docker's --since/--until values (moby api/types/time GetTimestamp, used by `docker events`,
// `docker compose events` and `docker logs`): a Go duration before now ("10m", "1h30m"; whole
// seconds, as docker sends a Unix time), a date or date-time in the local time zone or with one
// ("2024-01-02", "2024-01-02T15", "2024-01-02T15:04", "2024-01-02T15:04:05.5",
// "2024-01-02T15:04:05Z", "2024-01-02T15:04:05+02:00", "2024-01-02Z"), or a Unix timestamp
// ("1700000000", "1700000000.5").
#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::gocompat {

/// Nanoseconds since the Unix epoch for `value`, relative to `now_ns` for durations; the local
/// zone is the one in effect at `now_ns` (Go's time.FixedZone(reference.Zone())). nullopt when
/// none of the forms matches.
std::optional<int64_t> parse_docker_timestamp(std::string_view value, int64_t now_ns);

}  // namespace berth::gocompat
