# Run by `cmake --install` (and cpack): writes the systemd unit naming the berth of the prefix
# being installed into (known only then: `--prefix`, CPACK_PACKAGING_INSTALL_PREFIX), then
# installs it. BERTH_UNIT_IN, BERTH_UNIT_OUT and BERTH_BINDIR are set by Install.cmake's install(CODE).
file(READ "${BERTH_UNIT_IN}" unit)
string(REPLACE "@BERTH_BINARY@" "${CMAKE_INSTALL_PREFIX}/${BERTH_BINDIR}/berth" unit "${unit}")
file(WRITE "${BERTH_UNIT_OUT}" "${unit}")
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES "${BERTH_UNIT_OUT}")
