# CPU-side plugins (strategies sync, null, pthreads, forkpool; workloads
# null, cpu_sum) and their test-only workload fixtures.

# Test-only workloads, loaded by path: never installed, never on the
# plugin search path.
set(CONCUR_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/workloads)
foreach(fixture counting crashy async_io)
  concur_plugin(fixture_${fixture} NAME ${fixture} DIR ${CONCUR_FIXTURE_DIR}
    SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/workloads/${fixture}.c)
endforeach()

set(H1_TEST_DEPS plugin_strategy_sync plugin_strategy_null
    plugin_strategy_pthreads plugin_strategy_forkpool
    plugin_workload_null plugin_workload_cpu_sum
    fixture_counting fixture_crashy)

foreach(t test_plugins_cpu_sum test_plugins_strategies test_plugins_faults
          test_plugins_hygiene)
  concur_unit_test(${t} SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c
                   ${PROJECT_SOURCE_DIR}/tests/unit/test_plugins_common.c)
  target_include_directories(${t} PRIVATE
                             ${PROJECT_SOURCE_DIR}/tests/fixtures/workloads)
  add_dependencies(${t} ${H1_TEST_DEPS})
endforeach()
