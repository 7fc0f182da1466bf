# Open-loop load: the schedule, the core-reserved keys rate/arrival/seed,
# and the fixtures that exercise them.  Fixtures are loaded by path or
# --plugin-path, never installed.
set(OPENLOOP_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/openloop)
foreach(fx reserved_key fixed legacy)
  concur_plugin(fixture_openloop_${fx} NAME ${fx} DIR ${OPENLOOP_FIXTURE_DIR}
    SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/openloop/${fx}.c)
  list(APPEND OPENLOOP_FIXTURES fixture_openloop_${fx})
endforeach()

concur_unit_test(test_schedule SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_schedule.c LIBS m)
add_dependencies(test_schedule ${OPENLOOP_FIXTURES} ${CONCUR_PLUGIN_TARGETS})

# Every shipped strategy keeps the open-loop contract (never early, never
# skipped, epoll's cap), through job_run with the real plugins.
concur_unit_test(test_openloop SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_openloop.c)
add_dependencies(test_openloop ${OPENLOOP_FIXTURES} ${CONCUR_PLUGIN_TARGETS})

# Queueing theory: M/D/1 and M/D/c mean latency, tolerance from batch means.
concur_unit_test(test_queueing SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_queueing.c LIBS m)
add_dependencies(test_queueing ${OPENLOOP_FIXTURES} ${CONCUR_PLUGIN_TARGETS})
set_tests_properties(test_queueing PROPERTIES TIMEOUT 180)

# The contract through the real binary: columns, capability, report, chart.
concur_integration_test(openloop)
add_dependencies(test_openloop ${OPENLOOP_FIXTURES})
