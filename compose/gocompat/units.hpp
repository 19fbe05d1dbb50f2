#pragma once
// Durations and byte sizes the way compose files spell them, parsed and printed exactly like the
// Go libraries docker compose uses (time.ParseDuration + go-str2duration, time.Duration.String,
// docker/go-units RAMInBytes), plus Go's fmt.Sprint of a float so that numbers turned into
// strings read the same as in `docker compose config`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::gocompat {

/// Go time.ParseDuration, extended with the "d" (day) and "w" (week) units of go-str2duration:
/// "1m30s", "1.5h", "300ms", "-2us", "1d". A bare "0" is zero; any other number needs a unit.
/// nullopt on syntax errors and on overflow of int64 nanoseconds.
std::optional<int64_t> parse_duration_ns(std::string_view text);

/// Go Duration.String(): 60s -> "1m0s", 120s -> "2m0s", 1.5ms -> "1.5ms", 0 -> "0s".
std::string format_duration(int64_t ns);

/// docker/go-units RAMInBytes: a decimal number (fractions allowed) with an optional binary suffix
/// k, m, g, t, p (case-insensitive, optionally followed by "b" or "ib"), or a plain "b":
/// "50M" -> 52428800, "1g", "512m", "100kb", "1.5KiB", "1024". nullopt when invalid or negative.
std::optional<int64_t> parse_bytes(std::string_view text);

/// docker/go-units FromHumanSize: parse_bytes's syntax with decimal units (k = 1000, m = 1000000),
/// as Docker's log drivers read max-size ("10m" -> 10000000).
std::optional<int64_t> parse_human_size(std::string_view text);

/// go-units HumanSizeWithPrecision(size, precision), decimal units: with 3 (docker images SIZE)
/// "4.26MB", "812kB", "100B"; with 4 (units.HumanSize, pull progress) "12.35MB".
std::string human_size(std::uint64_t bytes, int precision = 3);

/// go-units BytesSize, binary units at precision 4: "64MiB", "2.398MiB", "0B" (docker stats' MEM
/// USAGE / LIMIT).
std::string bytes_size(std::uint64_t bytes);

}  // namespace berth::gocompat
