# Running one experiment as the shards of a batch job: the split, finding the
# shard in the environment, merging, and a real single-node Slurm cluster.
concur_unit_test(test_shard SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_shard.c)
add_dependencies(test_shard plugin_strategy_sync plugin_strategy_pthreads
                 plugin_workload_null)
concur_unit_test(test_slurm_script
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_slurm_script.c)

concur_integration_test(shard merge slurm)
# Where merge writes: under the results lock, never over its own inputs;
# the workbook's scratch space.
concur_integration_test(merge_output workbook_scratch)
# The real cluster waits for 4 array tasks and the merge in turn.
set_tests_properties(integration_slurm PROPERTIES TIMEOUT 900)
