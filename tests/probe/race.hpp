#pragma once
// `probe race SECONDS` (race.cpp): races ns_last_pid for the runtime's exec and healthcheck
// children and reports, as one JSON line, what it could do to them before their execve.

/// Runs the race for `seconds`; prints the JSON report; returns the exit status.
int cmd_race(double seconds);
