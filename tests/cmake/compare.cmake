# Deciding with statistics: the rank test and its interval (unit), and
# `concur compare` on fixed and real result files (integration).
concur_unit_test(test_ranktest SOURCES ${PROJECT_SOURCE_DIR}/tests/test_ranktest.c LIBS m)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME integration_compare
         COMMAND ${Python3_EXECUTABLE} -m unittest -v test_compare
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
set_tests_properties(integration_compare PROPERTIES TIMEOUT 300
  ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
