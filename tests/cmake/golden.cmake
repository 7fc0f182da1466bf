# Trustworthy numbers: golden CSV files run with the fake
# clock, the CSV contract read back with Python's csv module, and the
# terminal report's warnings.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t golden csv_contract)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()

concur_unit_test(test_report SOURCES ${PROJECT_SOURCE_DIR}/tests/test_report.c)
add_dependencies(test_report plugin_strategy_sync plugin_strategy_pthreads
                 plugin_workload_null)
