# The ABI growth rule of <concur/plugin.h>: plugins built against an older
# v1 header (a frozen copy in tests/fixtures/abi/older-v1) and against a
# newer one (tables longer than the core's) load and run.
set(ABI_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/abi)
foreach(fx older_workload older_strategy newer_workload)
  set(include ${CONCUR_PUBLIC_INCLUDE_DIR})
  if(fx MATCHES "^older")
    set(include ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/older-v1)
  endif()
  concur_plugin(fixture_abi_${fx} NAME abi_${fx} DIR ${ABI_FIXTURE_DIR}
    SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/${fx}.c INCLUDE ${include})
  list(APPEND ABI_FIXTURES fixture_abi_${fx})
endforeach()
concur_unit_test(test_abi SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_abi.c
                 ${PROJECT_SOURCE_DIR}/tests/unit/test_plugins_common.c)
target_include_directories(test_abi PRIVATE ${PROJECT_SOURCE_DIR}/tests/fixtures/workloads)
add_dependencies(test_abi ${ABI_FIXTURES} plugin_strategy_sync
                 plugin_strategy_pthreads plugin_workload_null)

# ABI v1.0: plugins built against concur 0.1's header (a byte copy in
# tests/fixtures/abi/v1.0, tables without `size`) keep loading and running,
# with every shipped plugin and with each other.  Nothing of the current
# header is on their include path.
set(ABI_V10_DIR ${ABI_FIXTURE_DIR}/v1.0)
foreach(fx workload:legacy_ticker strategy:legacy_loop)
  string(REPLACE ":" ";" fx ${fx})
  list(GET fx 0 src)
  list(GET fx 1 name)
  concur_plugin(fixture_abi_v10_${src} NAME ${name} DIR ${ABI_V10_DIR}
    SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/v1.0/legacy_${src}.c
    INCLUDE ${PROJECT_SOURCE_DIR}/tests/fixtures/abi/v1.0)
  list(APPEND ABI_V10_FIXTURES fixture_abi_v10_${src})
endforeach()
concur_unit_test(test_abi_v10 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_abi_v10.c
                 ${PROJECT_SOURCE_DIR}/tests/unit/test_plugins_common.c)
target_include_directories(test_abi_v10 PRIVATE ${PROJECT_SOURCE_DIR}/tests/fixtures/workloads)
add_dependencies(test_abi_v10 ${ABI_V10_FIXTURES} ${ABI_FIXTURES}
                 ${CONCUR_PLUGIN_TARGETS})

# The same through the real binary: list, validate, run (url = builtin).
concur_integration_test(abi_v10)
