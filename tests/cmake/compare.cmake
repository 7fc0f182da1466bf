# Deciding with statistics: the rank test and its interval (unit), and
# `concur compare` on fixed and real result files (integration).
concur_unit_test(test_ranktest SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_ranktest.c LIBS m)
concur_integration_test(compare)

# repetitions = auto: the golden auto*.ini run with the fake clock (in
# integration_golden); here real runs of a quiet and a deliberately noisy
# workload (the `jitter` fixture, loaded from the build tree).
set(COMPARE_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/compare)
concur_plugin(fixture_jitter NAME jitter DIR ${COMPARE_FIXTURE_DIR}
  SOURCES ${PROJECT_SOURCE_DIR}/tests/fixtures/compare/jitter.c)
concur_integration_test(repeat)
