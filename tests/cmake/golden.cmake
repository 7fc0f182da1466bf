# Trustworthy numbers: golden CSV files run with the fake
# clock, the CSV contract read back with Python's csv module, and the
# terminal report's warnings.
concur_integration_test(golden csv_contract)

concur_unit_test(test_report SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_report.c)
add_dependencies(test_report plugin_strategy_sync plugin_strategy_pthreads
                 plugin_workload_null)
