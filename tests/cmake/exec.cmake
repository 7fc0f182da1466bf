# The exec workload: its command templates (unit test on the helper source)
# and the plugin itself run by the real strategies through job_run.
concur_unit_test(test_exec_argv
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_exec_argv.c
                 ${PROJECT_SOURCE_DIR}/plugins/workload/exec/exec_argv.c)
target_include_directories(test_exec_argv PRIVATE
                           ${PROJECT_SOURCE_DIR}/plugins/workload/exec)

concur_unit_test(test_exec SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_exec.c
                 ${PROJECT_SOURCE_DIR}/tests/unit/test_http_common.c)
add_dependencies(test_exec plugin_workload_exec plugin_strategy_sync
                 plugin_strategy_pthreads plugin_strategy_epoll
                 plugin_strategy_io_uring plugin_strategy_forkpool)

concur_integration_test(exec)
