# The ABI growth rule of <concur/plugin.h>: plugins built against an older
# v1 header (a frozen copy in tests/fixtures/abi/older-v1) and against a
# newer one (tables longer than the core's) load and run.
set(ABI_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/abi)
foreach(fx older_workload older_strategy newer_workload)
  add_library(fixture_abi_${fx} MODULE ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/${fx}.c)
  set_target_properties(fixture_abi_${fx} PROPERTIES OUTPUT_NAME abi_${fx} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${ABI_FIXTURE_DIR} C_VISIBILITY_PRESET hidden)
  target_compile_options(fixture_abi_${fx} PRIVATE ${CONCUR_WARNINGS})
  if(fx MATCHES "^older")
    target_include_directories(fixture_abi_${fx} PRIVATE
                               ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/older-v1)
  else()
    target_include_directories(fixture_abi_${fx} PRIVATE ${CONCUR_PUBLIC_INCLUDE_DIR})
  endif()
  list(APPEND ABI_FIXTURES fixture_abi_${fx})
endforeach()
concur_unit_test(test_abi SOURCES ${PROJECT_SOURCE_DIR}/tests/test_abi.c)
add_dependencies(test_abi ${ABI_FIXTURES} plugin_strategy_sync
                 plugin_strategy_pthreads plugin_workload_null)
