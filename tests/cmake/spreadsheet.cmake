# Results that open right in every spreadsheet: the CSV number rule (golden
# file tests/golden/numbers/reals.txt), labels spreadsheets would retype,
# the N.xlsx workbook read back by LibreOffice under de_DE.UTF-8 (skipped
# with the reason when soffice is missing) and by openpyxl.
concur_unit_test(test_csv_numbers SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_csv_numbers.c)
concur_unit_test(test_retype SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_retype.c)
concur_integration_test(retype xlsx_libreoffice)
set_tests_properties(integration_xlsx_libreoffice PROPERTIES TIMEOUT 600)

# openpyxl comes from Debian's python3-openpyxl, for the system python.
find_program(CONCUR_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(CONCUR_SYSTEM_PYTHON)
  concur_integration_test(xlsx_openpyxl PYTHON ${CONCUR_SYSTEM_PYTHON})
endif()
concur_unit_test(test_xlsx_errbars SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_xlsx_errbars.c)
# The workbook's summary rows by cell id, as the CI whiskers look them up.
concur_unit_test(test_xlsx_index SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_xlsx_index.c)
