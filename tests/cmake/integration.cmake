# Integration tests: the real concur binary on real experiment files, CSV read
# back with Python's csv module.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t run errors sdk)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR};CONCUR_TEST_CMAKE=${CMAKE_COMMAND}")
endforeach()
