# Running one experiment as the shards of a batch job: the split, finding the
# shard in the environment, merging, and a real single-node Slurm cluster.
concur_unit_test(test_shard SOURCES ${PROJECT_SOURCE_DIR}/tests/test_shard.c)
add_dependencies(test_shard plugin_strategy_sync plugin_strategy_pthreads
                 plugin_workload_null)
concur_unit_test(test_slurm_script
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/test_slurm_script.c)

find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t shard merge slurm)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()
# The real cluster waits for 4 array tasks and the merge in turn.
set_tests_properties(integration_slurm PROPERTIES TIMEOUT 900)
