# I/O side: the embedded HTTP test server, the http_download workload and the
# epoll strategy (engineer h2).  The plugin tests load .so files from the
# build tree, so they depend on those plugin targets.
set(H2_PLUGIN_DEPS plugin_strategy_epoll plugin_workload_http_download
    plugin_strategy_sync plugin_strategy_pthreads plugin_workload_null)

concur_unit_test(test_testserver
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/test_testserver.c)

foreach(t test_http_download test_epoll)
  concur_unit_test(${t} SOURCES ${PROJECT_SOURCE_DIR}/tests/${t}.c
                   ${PROJECT_SOURCE_DIR}/tests/test_http_common.c)
  foreach(dep ${H2_PLUGIN_DEPS})
    if(TARGET ${dep})
      add_dependencies(${t} ${dep})
    endif()
  endforeach()
endforeach()
