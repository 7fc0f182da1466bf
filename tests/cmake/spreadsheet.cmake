# Results that open right in every spreadsheet: the CSV number rule (golden
# file tests/golden/numbers/reals.txt), labels spreadsheets would retype,
# the N.xlsx workbook read back by LibreOffice under de_DE.UTF-8 (skipped
# with the reason when soffice is missing) and by openpyxl.
concur_unit_test(test_csv_numbers SOURCES ${PROJECT_SOURCE_DIR}/tests/test_csv_numbers.c)
concur_unit_test(test_retype SOURCES ${PROJECT_SOURCE_DIR}/tests/test_retype.c)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t retype xlsx_libreoffice)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()
set_tests_properties(integration_xlsx_libreoffice PROPERTIES TIMEOUT 600)

# openpyxl comes from Debian's python3-openpyxl, for the system python.
find_program(CONCUR_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(CONCUR_SYSTEM_PYTHON)
  add_test(NAME integration_xlsx_openpyxl
           COMMAND ${CONCUR_SYSTEM_PYTHON} -m unittest -v test_xlsx_openpyxl
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_xlsx_openpyxl PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endif()
concur_unit_test(test_xlsx_errbars SOURCES ${PROJECT_SOURCE_DIR}/tests/test_xlsx_errbars.c)
