# One install test: builds a consumer project against the staged prefix
# (PREFIX) in BINARY, from scratch, then (unless BUILD_ONLY) runs each of
# PROGRAMS and expects EXPECT in its output.
#   MODE=cmake:       SOURCE is a CMake project (find_package(wvm)); ARGS are
#                     extra -D arguments.
#   MODE=pkg-config:  SOURCE is a shell script run in BINARY with
#                     PKG_CONFIG_PATH, CC and CFLAGS set.
# C_COMPILER, CXX_COMPILER, GENERATOR: the outer build's; FLAGS / LINK_FLAGS:
# its sanitizer flags, which a consumer of a sanitized library needs too.
file(REMOVE_RECURSE "${BINARY}")
file(MAKE_DIRECTORY "${BINARY}")
# Lists arrive "|"-separated.
string(REPLACE "|" " " flags "${FLAGS}")
string(REPLACE "|" " " link_flags "${LINK_FLAGS}")
string(REPLACE "|" ";" ARGS "${ARGS}")
string(REPLACE "|" ";" PROGRAMS "${PROGRAMS}")
if(MODE STREQUAL "cmake")
  execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE}" -B "${BINARY}" -G "${GENERATOR}"
                    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${PREFIX}"
                    "-DCMAKE_C_COMPILER=${C_COMPILER}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
                    "-DCMAKE_C_FLAGS=${flags}" "-DCMAKE_CXX_FLAGS=${flags}"
                    "-DCMAKE_EXE_LINKER_FLAGS=${link_flags}" ${ARGS}
                  COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY}" COMMAND_ERROR_IS_FATAL ANY)
else()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PKG_CONFIG_PATH=${PREFIX}/${LIBDIR}/pkgconfig"
                    "CC=${C_COMPILER}" "CFLAGS=${flags} ${link_flags}" sh -x "${SOURCE}"
                  WORKING_DIRECTORY "${BINARY}" COMMAND_ERROR_IS_FATAL ANY)
endif()
if(BUILD_ONLY)
  return()
endif()
foreach(program ${PROGRAMS})
  execute_process(COMMAND "${BINARY}/${program}" RESULT_VARIABLE status
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${program}: ${out}")
  if(NOT status EQUAL 0 OR NOT out MATCHES "${EXPECT}")
    message(FATAL_ERROR "${program} exited with ${status}; expected output: ${EXPECT}")
  endif()
endforeach()
