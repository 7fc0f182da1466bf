# Parallel strategies: the cpu-scaling experiment and the parallel
# benchmarks validate and run end to end, shrunk.  The
# pthreads/forkpool unit tests themselves are registered in plugins.cmake;
# scripts/tsan-check.sh runs them under ThreadSanitizer.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME integration_parallel
         COMMAND ${Python3_EXECUTABLE} -m unittest -v test_parallel
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
set_tests_properties(integration_parallel PROPERTIES TIMEOUT 300
  ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR};CONCUR_TEST_CMAKE=${CMAKE_COMMAND}")
