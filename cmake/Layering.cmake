# One static library per compose/ folder, linked in data-flow order, and a configure-time check
# that keeps it so: a source file may include headers of its own folder, of the folders its
# library links (directly or through them), of common/ and of schema/ — anything else (a back
# arrow such as model/ including loader/, or compose/ including runtime-shim/ or dns/) stops the
# configure with the file, line and the folder it may not use. runtime-shim/ and dns/ may include
# only common/ (and runtime-shim/ its container/ folder, which may include only itself).
#
#   berth_compose_library(<folder> [DEPS <folder>...] [PRIVATE <target>...])
# creates berth_<folder> from compose/<folder>/*.cpp (main.cpp excluded).

set_property(GLOBAL PROPERTY BERTH_LAYERS "")

function(berth_compose_library folder)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX ".*/main\\.cpp$")
  set(deps)
  foreach(dep ${ARG_DEPS})
    list(APPEND deps berth_${dep})
  endforeach()
  add_library(berth_${folder} STATIC ${srcs})
  target_include_directories(berth_${folder} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(berth_${folder} PUBLIC berth_common ${deps} PRIVATE ${ARG_PRIVATE})
  # One precompiled header for all of compose/ (made with the first library), CLI11's for cli/.
  get_property(pch_owner GLOBAL PROPERTY BERTH_PCH_OWNER)
  if(folder STREQUAL "cli")
    berth_fast_build(berth_${folder} PCH <CLI/CLI.hpp>)
  elseif(pch_owner)
    berth_fast_build(berth_${folder} PCH_FROM ${pch_owner})
  else()
    berth_fast_build(berth_${folder})
    set_property(GLOBAL PROPERTY BERTH_PCH_OWNER berth_${folder})
  endif()
  set_property(GLOBAL APPEND PROPERTY BERTH_LAYERS ${folder})
  set_property(GLOBAL PROPERTY BERTH_LAYER_DEPS_${folder} ${ARG_DEPS})
endfunction()

# The folders `folder` may use: itself and everything it links, transitively.
function(berth_layer_closure folder out)
  set(seen ${folder})
  set(todo ${folder})
  while(todo)
    list(POP_FRONT todo f)
    get_property(deps GLOBAL PROPERTY BERTH_LAYER_DEPS_${f})
    foreach(d ${deps})
      if(NOT d IN_LIST seen)
        list(APPEND seen ${d})
        list(APPEND todo ${d})
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# Fails the configure on any include that runs against the layering. `dir` is scanned
# recursively; `prefix_regex` picks the includes that are checked; `allowed` the folders (as
# they appear after the prefix) that may be included.
function(berth_check_includes dir prefix allowed)
  if(prefix STREQUAL "runtime-shim")  # its container/ folder is checked on its own
    file(GLOB files ${dir}/*.cpp ${dir}/*.hpp ${dir}/init/*.cpp)
  else()
    file(GLOB_RECURSE files ${dir}/*.cpp ${dir}/*.hpp)
  endif()
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^#include \"(compose|runtime-shim|dns)/")
    foreach(line ${lines})
      string(REGEX MATCH "^#include \"([a-z-]+)/([a-z_]*)" _ "${line}")
      set(top ${CMAKE_MATCH_1})
      set(sub ${CMAKE_MATCH_2})
      if(top STREQUAL "compose")
        set(target "compose/${sub}")
      elseif(top STREQUAL "runtime-shim" AND sub STREQUAL "container")
        set(target "runtime-shim/container")
      else()
        set(target "${top}")
      endif()
      if(NOT target IN_LIST allowed)
        file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${f})
        message(SEND_ERROR "layering: ${rel} includes ${line}: ${prefix} may not use ${target} "
                           "(it links only: ${allowed}; see docs/ARCHITECTURE.md)")
      endif()
    endforeach()
  endforeach()
endfunction()

function(berth_check_layering)
  get_property(layers GLOBAL PROPERTY BERTH_LAYERS)
  foreach(folder ${layers})
    berth_layer_closure(${folder} closure)
    set(allowed)
    foreach(c ${closure})
      list(APPEND allowed compose/${c})
    endforeach()
    berth_check_includes(${PROJECT_SOURCE_DIR}/compose/${folder} "compose/${folder}" "${allowed}")
  endforeach()
  berth_check_includes(${PROJECT_SOURCE_DIR}/runtime-shim/container "runtime-shim/container" "runtime-shim/container")
  berth_check_includes(${PROJECT_SOURCE_DIR}/runtime-shim "runtime-shim" "runtime-shim;runtime-shim/container")
  berth_check_includes(${PROJECT_SOURCE_DIR}/dns "dns" "dns")
endfunction()
