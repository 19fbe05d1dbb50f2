# INTERFACE targets carrying project-wide settings; components link them instead of relying
# on global flags.
add_library(berth_warnings INTERFACE)
target_compile_options(berth_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual -Wnull-dereference)

add_library(berth_sanitizers INTERFACE)
if(BERTH_SANITIZE)
  target_compile_options(berth_sanitizers INTERFACE -fsanitize=address,undefined
    -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(berth_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(berth_settings INTERFACE)
target_link_libraries(berth_settings INTERFACE berth_warnings berth_sanitizers)
