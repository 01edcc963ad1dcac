# The installable libraries (README, "Embedding"): libwvm.so.0 and libwvm.a
# under <build>/lib, both from the objects of the in-tree `wvm` archive (no
# second compile), both carrying asmjit inside so that an embedder never
# names it, and a CMake package plus a pkg-config file for
# `cmake --install`. In-tree programs keep linking `wvm`, which also offers
# the internal headers (source-root include directory) and links the system
# asmjit.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# One compile serves the archive and the shared object. Nothing relies on
# symbol interposition, so -fPIC need not cost inlining of global functions.
set_target_properties(wvm PROPERTIES POSITION_INDEPENDENT_CODE ON)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(wvm PRIVATE -fno-semantic-interposition)
endif()
# The compiler's internals (namespaces wvm::jit and wvm::<arch>) stay out of
# libwvm.so's symbol table: no public header declares them.
file(GLOB WVM_COMPILER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tier1-jit/*.cc)
set_source_files_properties(${WVM_COMPILER_SOURCES} ${WVM_CODEGEN_SOURCES} PROPERTIES
  COMPILE_OPTIONS "-fvisibility=hidden;-fvisibility-inlines-hidden")

# Debian's libasmjit.a is position-independent executable code whose one
# external data reference, `stderr`, cannot be linked into a shared object:
# this copy names wvm_asmjit_stderr instead (hosts/cosmwasm/capi/shared/
# asmjit_stderr.cc defines it). libwvm_cosmwasm.so links the same copy.
set(WVM_ASMJIT_PIC ${CMAKE_BINARY_DIR}/libasmjit_pic.a)
add_custom_command(OUTPUT ${WVM_ASMJIT_PIC}
  COMMAND ${CMAKE_OBJCOPY} --redefine-sym stderr=wvm_capi_asmjit_stderr
          ${ASMJIT_LIBRARY} ${WVM_ASMJIT_PIC}
  DEPENDS ${ASMJIT_LIBRARY}
  COMMENT "Preparing asmjit for shared objects")
add_custom_target(wvm_asmjit_pic DEPENDS ${WVM_ASMJIT_PIC})
add_library(wvm_asmjit_stderr OBJECT ${CMAKE_SOURCE_DIR}/hosts/cosmwasm/capi/shared/asmjit_stderr.cc)
set_target_properties(wvm_asmjit_stderr PROPERTIES POSITION_INDEPENDENT_CODE ON)

set(WVM_LIBRARY_DIR ${CMAKE_BINARY_DIR}/lib)  # apart from the in-tree libwvm.a
set(WVM_INTERFACE_INCLUDE
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# libwvm.so.0: exports only the public API (cmake/libwvm.map); the archives
# linked into it export nothing (--exclude-libs).
add_library(wvm_shared SHARED $<TARGET_OBJECTS:wvm> $<TARGET_OBJECTS:wvm_asmjit_stderr>)
add_dependencies(wvm_shared wvm_asmjit_pic)
set_target_properties(wvm_shared PROPERTIES
  OUTPUT_NAME wvm
  EXPORT_NAME wvm
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LIBRARY_OUTPUT_DIRECTORY ${WVM_LIBRARY_DIR}
  LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/libwvm.map)
target_include_directories(wvm_shared INTERFACE ${WVM_INTERFACE_INCLUDE})
target_link_libraries(wvm_shared PRIVATE ${WVM_ASMJIT_PIC} pthread rt)
target_link_options(wvm_shared PRIVATE
  "LINKER:--version-script=${CMAKE_SOURCE_DIR}/cmake/libwvm.map"
  "LINKER:--exclude-libs,ALL")
# clang links the sanitizer and coverage runtimes into executables only: a
# sanitized shared object takes those hooks from the program that loads it.
if(NOT (CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND (WVM_SANITIZE OR WVM_SANITIZE_UNDEFINED OR WVM_FUZZ)))
  target_link_options(wvm_shared PRIVATE "LINKER:--no-undefined")
endif()

# libwvm.a: wvm's objects with asmjit's folded in (the prepared copy, so the
# archive links into an embedder's shared objects too). A consumer then
# needs only the C++ runtime and libc's threads, which the package and the
# .pc name.
add_library(wvm_static STATIC $<TARGET_OBJECTS:wvm> $<TARGET_OBJECTS:wvm_asmjit_stderr>)
add_dependencies(wvm_static wvm_asmjit_pic)
set_target_properties(wvm_static PROPERTIES
  OUTPUT_NAME wvm
  ARCHIVE_OUTPUT_DIRECTORY ${WVM_LIBRARY_DIR})
target_include_directories(wvm_static INTERFACE ${WVM_INTERFACE_INCLUDE})
target_link_libraries(wvm_static INTERFACE stdc++ m pthread rt)
# An ar script in the subset GNU ar and llvm-ar share (no "open").
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/wvm_static_fold.mri CONTENT
"create $<TARGET_FILE:wvm_static>.folded
addlib $<TARGET_FILE:wvm_static>
addlib ${WVM_ASMJIT_PIC}
save
end
")
add_custom_command(TARGET wvm_static POST_BUILD
  COMMAND ${CMAKE_AR} -M < ${CMAKE_BINARY_DIR}/wvm_static_fold.mri
  COMMAND ${CMAKE_RANLIB} $<TARGET_FILE:wvm_static>.folded
  COMMAND ${CMAKE_COMMAND} -E rename $<TARGET_FILE:wvm_static>.folded $<TARGET_FILE:wvm_static>
  COMMENT "Folding asmjit into lib/libwvm.a")

# cmake --install: the public headers, both libraries, the CMake package
# (find_package(wvm): wvm::wvm, the shared library, and wvm::wvm_static)
# and wvm.pc.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(TARGETS wvm_shared wvm_static EXPORT wvmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set(WVM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/wvm)
install(EXPORT wvmTargets NAMESPACE wvm:: DESTINATION ${WVM_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/wvmConfig.cmake.in
  ${CMAKE_BINARY_DIR}/wvmConfig.cmake INSTALL_DESTINATION ${WVM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/wvmConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/wvmConfig.cmake ${CMAKE_BINARY_DIR}/wvmConfigVersion.cmake
  DESTINATION ${WVM_CMAKE_DIR})
# The .pc finds its prefix from its own place, so the tree can move.
file(RELATIVE_PATH WVM_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" WVM_PC_TO_PREFIX "${WVM_PC_TO_PREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/wvm.pc.in ${CMAKE_BINARY_DIR}/wvm.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/wvm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
