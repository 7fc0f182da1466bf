# Exports (docs/results.md "Exports"): Google Benchmark's JSON checked against a
# schema (python3-jsonschema) and read by its own compare.py
# (libbenchmark-tools, with python3-scipy), and the Markdown table; both
# with Debian's system python, whose packages those are.
concur_unit_test(test_export SOURCES ${PROJECT_SOURCE_DIR}/tests/test_export.c)
find_program(CONCUR_SYSTEM_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(CONCUR_SYSTEM_PYTHON)
  concur_integration_test(export TIMEOUT 600 PYTHON ${CONCUR_SYSTEM_PYTHON})
endif()
