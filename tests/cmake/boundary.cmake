# The plugin boundary: what plugins may include, what the core links.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME integration_boundary
         COMMAND ${Python3_EXECUTABLE} -m unittest -v test_boundary
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
set_tests_properties(integration_boundary PROPERTIES TIMEOUT 120
  ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR};CONCUR_TEST_CMAKE=${CMAKE_COMMAND}")

# The helpers the core keeps once: did-you-mean, kind names, plugin names,
# the outlier rule.
concur_unit_test(test_names SOURCES ${PROJECT_SOURCE_DIR}/tests/test_names.c LIBS m)
