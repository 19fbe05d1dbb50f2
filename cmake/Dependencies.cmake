# Every dependency comes from a Debian package (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)  # rotated container logs are gzipped (berth-shim) and read back (compose/logs)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
# ISA-L's igzip inflates gzip layers 2-3x faster than zlib (compose/image/gunzip.hpp); optional:
# without it libarchive's zlib filter does all of it.
pkg_check_modules(ISAL IMPORTED_TARGET libisal)

# valijson is header-only and ships no usable config on Debian 12.
find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
add_library(valijson INTERFACE)
target_include_directories(valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
target_compile_definitions(valijson INTERFACE VALIJSON_USE_EXCEPTIONS=1)

# yaml-cpp 0.7's config exports the target under two names depending on the build.
if(TARGET yaml-cpp::yaml-cpp)
  set(BERTH_YAML yaml-cpp::yaml-cpp)
else()
  set(BERTH_YAML yaml-cpp)
endif()

# Networks: links/addresses/routes over netlink, firewall rules as libnftables JSON.
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
pkg_check_modules(LIBNFTABLES REQUIRED IMPORTED_TARGET libnftables)
# berth-dns: Boost.Asio (header-only) and c-ares for upstream queries.
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
