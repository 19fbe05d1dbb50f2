# Build time (docs/BENCHMARKS.md, "Build time"): ccache when installed, and unity builds for the
# compose libraries and the test binaries, where most of the compile time goes (every file there
# includes nlohmann/json, CLI11 or GoogleTest; a unity batch compiles those headers and their
# inline code once instead of once per file). berth-shim, berth-init and berth-dns are built
# file by file as before.
option(BERTH_CCACHE "Compile through ccache when it is installed" ON)
option(BERTH_UNITY_BUILD "Unity builds (BERTH_UNITY_BATCH files per batch) for compose/ and the tests" ON)
set(BERTH_UNITY_BATCH 16 CACHE STRING "Files per unity batch of a compose library (the test binaries use half)")
option(BERTH_PCH "Precompiled headers (the standard library, nlohmann/json, CLI11, GoogleTest) for compose/ and the tests" ON)

if(BERTH_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER AND NOT DEFINED ENV{CMAKE_CXX_COMPILER_LAUNCHER})
  find_program(BERTH_CCACHE_PROGRAM ccache)
  if(BERTH_CCACHE_PROGRAM)
    # ccache reuses results made with a precompiled header only with this sloppiness.
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime ${BERTH_CCACHE_PROGRAM})
    message(STATUS "Compiling through ${BERTH_CCACHE_PROGRAM} (-DBERTH_CCACHE=OFF to turn off)")
  endif()
endif()

# The headers nearly every compose/ and test file includes; parsed once into a precompiled header.
set(BERTH_PCH_COMMON <algorithm> <chrono> <filesystem> <functional> <map> <memory> <optional> <set>
    <sstream> <stdexcept> <string> <string_view> <vector> <nlohmann/json.hpp>)

# berth_fast_build(<target> [BATCH <n>] [PCH_FROM <target>] [PCH <header>...]): the unity build for
# `target` (BERTH_UNITY_BUILD), and its precompiled header (BERTH_PCH): BERTH_PCH_COMMON plus the
# PCH headers, or the one PCH_FROM built (one .gch shared by targets with compatible flags).
function(berth_fast_build target)
  cmake_parse_arguments(ARG "" "PCH_FROM;BATCH" "PCH" ${ARGN})
  if(NOT ARG_BATCH)
    set(ARG_BATCH ${BERTH_UNITY_BATCH})
  endif()
  if(BERTH_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${ARG_BATCH})
    # A unity file #includes the .cpp files, so GCC takes them for headers and warns about
    # test fixtures from anonymous namespaces, which is fine in a .cpp file.
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(NOT BERTH_PCH)
    return()
  endif()
  if(ARG_PCH_FROM)
    target_precompile_headers(${target} REUSE_FROM ${ARG_PCH_FROM})
  else()
    target_precompile_headers(${target} PRIVATE ${BERTH_PCH_COMMON} ${ARG_PCH})
  endif()
endfunction()
