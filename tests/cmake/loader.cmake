# Loader tests against deliberately broken plugin fixtures.
set(LOADER_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/loader)
foreach(fx ok no_symbol missing_hook abi kind bad_param small_size no_ops_size
          unknown_need word63 v10_layout extra_keys_no_hook)
  add_library(fixture_loader_${fx} MODULE ${PROJECT_SOURCE_DIR}/tests/fixtures/loader/broken.c)
  string(TOUPPER ${fx} FX)
  if(NOT fx STREQUAL ok)
    target_compile_definitions(fixture_loader_${fx} PRIVATE BROKEN_${FX})
  endif()
  target_compile_definitions(fixture_loader_${fx} PRIVATE FIXTURE_NAME="fixture_${fx}")
  target_include_directories(fixture_loader_${fx} PRIVATE ${CONCUR_PUBLIC_INCLUDE_DIR})
  set_target_properties(fixture_loader_${fx} PROPERTIES OUTPUT_NAME fixture_${fx} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${LOADER_FIXTURE_DIR} C_VISIBILITY_PRESET hidden)
  list(APPEND LOADER_FIXTURES fixture_loader_${fx})
endforeach()
file(MAKE_DIRECTORY ${LOADER_FIXTURE_DIR})
file(WRITE ${LOADER_FIXTURE_DIR}/fixture_text.so "this is not an ELF file\n")
concur_unit_test(test_loader SOURCES ${PROJECT_SOURCE_DIR}/tests/test_loader.c)
add_dependencies(test_loader ${LOADER_FIXTURES} ${CONCUR_PLUGIN_TARGETS})

# Matrix: typing and crossing against the real plugins of the build.
concur_unit_test(test_matrix SOURCES ${PROJECT_SOURCE_DIR}/tests/test_matrix.c)
add_dependencies(test_matrix ${CONCUR_PLUGIN_TARGETS})
