# Deciding with statistics: the rank test and its interval (unit), and
# `concur compare` on fixed and real result files (integration).
concur_unit_test(test_ranktest SOURCES ${PROJECT_SOURCE_DIR}/tests/test_ranktest.c LIBS m)
concur_integration_test(compare)

# repetitions = auto: the golden auto*.ini run with the fake clock (in
# integration_golden); here real runs of a quiet and a deliberately noisy
# workload (the `jitter` fixture, loaded from the build tree).
set(COMPARE_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/compare)
add_library(fixture_jitter MODULE ${PROJECT_SOURCE_DIR}/tests/fixtures/compare/jitter.c)
set_target_properties(fixture_jitter PROPERTIES
  OUTPUT_NAME jitter PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${COMPARE_FIXTURE_DIR}
  C_VISIBILITY_PRESET hidden)
target_include_directories(fixture_jitter PRIVATE ${CONCUR_PUBLIC_INCLUDE_DIR})
target_compile_options(fixture_jitter PRIVATE ${CONCUR_WARNINGS})
concur_integration_test(repeat)
