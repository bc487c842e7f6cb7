# Helpers shared by every module's CMakeLists.

# minitok_add_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# One static library per module; the include root is the repository, so includes read
# "libs/http/router.h" and tell you which room of the house you are in.
function(minitok_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# minitok_add_unit_test(NAME SOURCES ... DEPS ...)
function(minitok_add_unit_test name)
  if(NOT MINITOK_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
endfunction()

# minitok_embed_files(TARGET NAMESPACE BASE_DIR FILES ...)
# Builds the listed files into a library exposing
#   std::span<const EmbeddedFile> <namespace>::Files();
# so that the binary carries its migrations and web client and runs from any directory.
function(minitok_embed_files target namespace base_dir)
  set(files ${ARGN})
  # A CMake list would split into several arguments on the command line; pass it joined.
  string(REPLACE ";" "|" joined_files "${files}")
  set(out ${PROJECT_BINARY_DIR}/generated/embedded/${target}.cc)
  set(header ${PROJECT_BINARY_DIR}/generated/embedded/${target}.h)
  add_custom_command(
    OUTPUT ${out} ${header}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DHEADER=${header} -DNAMESPACE=${namespace}
            -DBASE_DIR=${base_dir} "-DFILES=${joined_files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${target} PUBLIC minitok_core)
endfunction()
