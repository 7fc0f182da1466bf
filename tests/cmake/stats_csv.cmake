# Statistics, per-task latency quantiles and CSV formatting.
concur_unit_test(test_stats SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_stats.c LIBS m)
concur_unit_test(test_latency SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_latency.c LIBS m)
concur_unit_test(test_csv SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_csv.c LIBS m)
concur_unit_test(test_results_table
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_results_table.c)
concur_unit_test(test_schema SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_schema.c)
# it checks the N-env.csv keys of a run, a shard and a merge made by the binary
add_dependencies(test_schema concur)
