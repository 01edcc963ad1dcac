# Included into EVMC's own CMake project (CMAKE_PROJECT_INCLUDE) when
# run-evmc-tool.sh builds its command-line tool: EVMC fetches CLI11 through
# the Hunter package manager, which downloads; Debian's libcli11-dev is
# found by find_package instead, so Hunter's call does nothing here.
macro(hunter_add_package)
endmacro()
