# The file_read workload: its pattern, digest and order (helper source) and
# the plugin itself, run by the real strategies through job_run and through
# its hooks on a mock loop.
concur_unit_test(test_file_read
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_file_read.c
                 ${PROJECT_SOURCE_DIR}/tests/unit/test_http_common.c
                 ${PROJECT_SOURCE_DIR}/plugins/workload/file_read/fr_data.c)
target_include_directories(test_file_read PRIVATE
                           ${PROJECT_SOURCE_DIR}/plugins/workload/file_read)
add_dependencies(test_file_read plugin_workload_file_read plugin_strategy_sync
                 plugin_strategy_pthreads plugin_strategy_epoll
                 plugin_strategy_forkpool)
if(TARGET plugin_strategy_io_uring)
  add_dependencies(test_file_read plugin_strategy_io_uring)
endif()

concur_integration_test(file_read)
