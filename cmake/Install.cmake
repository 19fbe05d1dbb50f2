# `cmake --install build --prefix P` and `cpack -G DEB`. The installed layout:
#   P/bin/berth
#   P/libexec/berth/berth-shim, berth-init, berth-dns   helpers: berth finds them through
#       BERTH_HELPER_RELDIR (bin → libexec/berth, compose/state/paths.cpp), berth-shim finds
#       berth-init next to itself
#   P/share/bash-completion/completions/berth, P/share/zsh/vendor-completions/_berth,
#   P/share/fish/vendor_completions.d/berth.fish   made by `berth completion SHELL` at build time
#   P/share/man/man1/berth*.1                      made by `berth __man` at build time
#   P/share/doc/berth/                             README and docs/
#   P/lib/systemd/system/berth-restore.service        runs `berth system restore` at boot

set(BERTH_GENERATED ${CMAKE_BINARY_DIR}/generated)
# The man pages' date (.TH): SOURCE_DATE_EPOCH when the packager sets it (reproducible builds),
# else the last commit's time, else now; fixed when CMake configures, so pages made on either side
# of midnight, at build time and by a test later, say the same day.
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  set(BERTH_SOURCE_DATE_EPOCH $ENV{SOURCE_DATE_EPOCH})
else()
  execute_process(COMMAND git log -1 --format=%ct WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE BERTH_SOURCE_DATE_EPOCH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_rc)
  if(NOT git_rc EQUAL 0 OR NOT BERTH_SOURCE_DATE_EPOCH MATCHES "^[0-9]+$")
    string(TIMESTAMP BERTH_SOURCE_DATE_EPOCH "%s" UTC)
  endif()
endif()
set(berth_completions ${BERTH_GENERATED}/completions/berth ${BERTH_GENERATED}/completions/_berth
  ${BERTH_GENERATED}/completions/berth.fish)
add_custom_command(
  OUTPUT ${BERTH_GENERATED}/man.stamp ${berth_completions}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${BERTH_GENERATED}/man1
  COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=${BERTH_SOURCE_DATE_EPOCH} $<TARGET_FILE:berth> __man
    ${BERTH_GENERATED}/man1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${BERTH_GENERATED}/completions
  COMMAND sh -c "\"$1\" completion bash > \"$2\"/berth && \"$1\" completion zsh > \"$2\"/_berth && \"$1\" completion fish > \"$2\"/berth.fish"
    sh $<TARGET_FILE:berth> ${BERTH_GENERATED}/completions
  COMMAND ${CMAKE_COMMAND} -E touch ${BERTH_GENERATED}/man.stamp
  DEPENDS berth
  COMMENT "Man pages and shell completions from berth's own commands and flags"
  VERBATIM)
add_custom_target(berth_docs ALL DEPENDS ${BERTH_GENERATED}/man.stamp)

install(TARGETS berth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(helper berth-shim berth-init berth-dns)
  if(TARGET ${helper})
    install(TARGETS ${helper} RUNTIME DESTINATION ${BERTH_HELPER_DIR})
  endif()
endforeach()
install(FILES ${BERTH_GENERATED}/completions/berth DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${BERTH_GENERATED}/completions/_berth DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${BERTH_GENERATED}/completions/berth.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${BERTH_GENERATED}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The boot-time `berth system restore` (containers with restart policies come back after a reboot,
# as dockerd brings them back); enabled with `systemctl enable berth-restore.service`.
install(CODE "set(BERTH_UNIT_IN \"${CMAKE_CURRENT_LIST_DIR}/berth-restore.service.in\")
  set(BERTH_UNIT_OUT \"${BERTH_GENERATED}/berth-restore.service\")
  set(BERTH_BINDIR \"${CMAKE_INSTALL_BINDIR}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/InstallUnit.cmake)
# Further system files: one more install() here; cpack packs whatever is installed.

# The Debian package: what the binaries link is computed by dpkg-shlibdeps. Berth execs no other
# program at run time (nftables and netlink are libraries; docker-credential-* helpers are only
# run when ~/.docker/config.json names one), so nothing else is declared.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME berth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Daemonless, Compose-compatible multi-container orchestrator")
set(CPACK_PACKAGE_DESCRIPTION
  "Berth runs compose.yaml projects without a daemon: its own container runtime (berth-shim),\n per-project bridge networks with service-name DNS (berth-dns), and published ports through nftables.")
set(CPACK_PACKAGE_CONTACT "Berth maintainers <berth@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_STRIP_FILES ON)
include(CPack)
