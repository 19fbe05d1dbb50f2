#pragma once
// Giving back memory the shim needed only to start the container, so an idle shim stays small.

namespace berth::shim {

/// Returns free heap to the kernel (malloc_trim) and drops this process's resident, unmodified
/// pages of its own executable (code and read-only data used by bundle loading and container
/// setup). Dropped pages stay in the page cache: touching them again is a minor fault. Safe at
/// any time; best effort (errors are ignored).
void release_startup_memory();

}  // namespace berth::shim
