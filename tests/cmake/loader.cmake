# Loader tests against deliberately broken plugin fixtures.
set(LOADER_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/loader)
foreach(fx ok no_symbol missing_hook abi kind bad_param small_size no_ops_size
          unknown_need word63 v10_layout extra_keys_no_hook)
  string(TOUPPER ${fx} FX)
  set(defines FIXTURE_NAME="fixture_${fx}")
  if(NOT fx STREQUAL ok)
    list(APPEND defines BROKEN_${FX})
  endif()
  concur_plugin(fixture_loader_${fx} NAME fixture_${fx} DIR ${LOADER_FIXTURE_DIR}
    SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/loader/broken.c DEFINES ${defines}
    NO_WARNINGS)
  list(APPEND LOADER_FIXTURES fixture_loader_${fx})
endforeach()
file(MAKE_DIRECTORY ${LOADER_FIXTURE_DIR})
file(WRITE ${LOADER_FIXTURE_DIR}/fixture_text.so "this is not an ELF file\n")
concur_unit_test(test_loader SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_loader.c)
add_dependencies(test_loader ${LOADER_FIXTURES} ${CONCUR_PLUGIN_TARGETS})

# Matrix: typing and crossing against the real plugins of the build.
concur_unit_test(test_matrix SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_matrix.c)
add_dependencies(test_matrix ${CONCUR_PLUGIN_TARGETS})
