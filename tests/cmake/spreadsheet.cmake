# Results that open right in every spreadsheet: the CSV number rule (golden
# file tests/golden/numbers/reals.txt), labels spreadsheets would retype.
concur_unit_test(test_csv_numbers SOURCES ${PROJECT_SOURCE_DIR}/tests/test_csv_numbers.c)
concur_unit_test(test_retype SOURCES ${PROJECT_SOURCE_DIR}/tests/test_retype.c)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t retype)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()
