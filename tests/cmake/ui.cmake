# The people's interface (issue 7): charts, progress, help, man page, and the
# gallery check - every file in configs/ must pass `concur validate`.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME integration_ui
         COMMAND ${Python3_EXECUTABLE} -m unittest -v test_ui
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
set_tests_properties(integration_ui PROPERTIES TIMEOUT 300
  ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
