# Profile-guided optimization of the engine library (WVM_PGO; the release
# preset turns it on). The build compiles the library's sources a second
# time with -fprofile-generate (wvm_pgo_gen), runs tools/pgo_train.cc linked
# with that copy over our WASI test programs in C and Rust
# (tests/wasi/programs: real compiled code, and none of the contracts the
# benchmarks measure), and compiles `wvm` with the counts (-fprofile-use).
# A changed engine source retrains the profile and recompiles the library.
# Functions the training never ran are optimized as without a profile
# (-fprofile-partial-training).
#
# GCC only, native builds only (the trainer runs on the build machine),
# never with sanitizers or coverage; without the training programs (tests
# off, or no clang + wasi-libc / rustc) the library is built without a
# profile, and configure says so. Included after tests/, which lists the
# programs (global property WVM_PGO_CORPUS).
if(NOT WVM_PGO)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU" OR CMAKE_CROSSCOMPILING OR WVM_SANITIZE
   OR WVM_SANITIZE_UNDEFINED OR WVM_FUZZ)
  message(STATUS "wvm: WVM_PGO needs GCC, a native build and no sanitizers: no profile")
  return()
endif()
get_property(corpus GLOBAL PROPERTY WVM_PGO_CORPUS)
if(NOT corpus)
  message(STATUS "wvm: WVM_PGO has no training programs (WVM_BUILD_TESTS off, or no "
                 "clang + wasi-libc and no rustc for wasm32-wasi): no profile")
  return()
endif()
message(STATUS "wvm: the engine library is built with a profile (WVM_PGO)")

set(pgo_dir ${CMAKE_BINARY_DIR}/pgo)
# The instrumented copy: the same sources, options, definitions and include
# directories as `wvm`, so that both compiles see the same functions.
get_target_property(pgo_sources wvm SOURCES)
add_library(wvm_pgo_gen STATIC EXCLUDE_FROM_ALL ${pgo_sources})
foreach(prop COMPILE_OPTIONS COMPILE_DEFINITIONS INCLUDE_DIRECTORIES LINK_LIBRARIES
             POSITION_INDEPENDENT_CODE)
  get_target_property(value wvm ${prop})
  if(value)
    set_property(TARGET wvm_pgo_gen PROPERTY ${prop} ${value})
  endif()
endforeach()
get_target_property(pgo_interface_includes wvm INTERFACE_INCLUDE_DIRECTORIES)
set_property(TARGET wvm_pgo_gen PROPERTY INTERFACE_INCLUDE_DIRECTORIES ${pgo_interface_includes})
get_target_property(pgo_interface_defs wvm INTERFACE_COMPILE_DEFINITIONS)
set_property(TARGET wvm_pgo_gen PROPERTY INTERFACE_COMPILE_DEFINITIONS ${pgo_interface_defs})
get_target_property(pgo_interface_libs wvm INTERFACE_LINK_LIBRARIES)
set_property(TARGET wvm_pgo_gen PROPERTY INTERFACE_LINK_LIBRARIES ${pgo_interface_libs})
target_compile_options(wvm_pgo_gen PRIVATE -fprofile-generate=${pgo_dir}/profile
                       -fprofile-update=single)
# GCC matches a function's counts by an identity that, for functions local
# to a file (anonymous namespaces, statics: most of the compiler), includes
# the object's auxiliary name, by default its path: each source gets the
# same one in both libraries. The profile files take that name too.
file(MAKE_DIRECTORY ${pgo_dir}/aux)
foreach(source IN LISTS pgo_sources)
  file(RELATIVE_PATH relative ${CMAKE_SOURCE_DIR} ${source})
  string(REPLACE "/" "_" base "${relative}")
  set_property(SOURCE ${source} APPEND PROPERTY COMPILE_OPTIONS
               -dumpdir ${pgo_dir}/aux/ -dumpbase ${base})
endforeach()

add_executable(wvm-pgo-train EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tools/pgo_train.cc)
target_link_libraries(wvm-pgo-train PRIVATE wvm_pgo_gen)
target_link_options(wvm-pgo-train PRIVATE -fprofile-generate)

add_custom_command(OUTPUT ${pgo_dir}/profile.h
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${pgo_dir}/profile
  COMMAND wvm-pgo-train ${corpus}
  COMMAND ${CMAKE_COMMAND} -DPROFILE=${pgo_dir}/profile -DOUT=${pgo_dir}/profile.h
          -P ${CMAKE_SOURCE_DIR}/cmake/pgo_profile.cmake
  DEPENDS wvm-pgo-train ${corpus} ${CMAKE_SOURCE_DIR}/cmake/pgo_profile.cmake
  COMMENT "wvm: training the engine's profile on ${CMAKE_BINARY_DIR}/tests/wasi/programs"
  VERBATIM)
add_custom_target(wvm-pgo-profile DEPENDS ${pgo_dir}/profile.h)
add_dependencies(wvm-pgo-profile wvm-wasi-programs)
add_dependencies(wvm wvm-pgo-profile)
# The profile is used by `wvm`'s compiles only (a source property shared by
# both libraries, hence the target test), and not for the tier-0 loop
# (tier0-interp/interp.cc): the trace of a guard-page fault in it finds the
# faulting access from its handlers' code order (tier0-interp/trace.cc),
# which the profile's block placement would change; and the training does
# not run it. -include: every object depends on the stamp, so a new profile
# recompiles it.
set(pgo_use -fprofile-use=${pgo_dir}/profile -fprofile-partial-training -Wno-missing-profile
            -Wno-error=coverage-mismatch -include ${pgo_dir}/profile.h)
foreach(source IN LISTS pgo_sources)
  if(NOT source MATCHES "/tier0-interp/interp\\.cc$")
    set_property(SOURCE ${source} APPEND PROPERTY COMPILE_OPTIONS
                 "$<$<STREQUAL:$<TARGET_PROPERTY:NAME>,wvm>:${pgo_use}>")
  endif()
endforeach()
