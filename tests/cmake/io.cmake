# I/O side: the embedded HTTP test server, the http_download workload and the
# epoll strategy.  The plugin tests load .so files from the build tree, and
# start the server through the concur-testserver helper, so they depend on
# those targets; they link the server library and libcurl themselves (the
# core links neither).
set(IO_TEST_DEPS plugin_strategy_epoll plugin_strategy_io_uring
    plugin_workload_http_download
    plugin_strategy_sync plugin_strategy_pthreads plugin_workload_null
    concur-testserver)

concur_unit_test(test_testserver
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_testserver.c
                 LIBS concur_testserver CURL::libcurl)
add_dependencies(test_testserver concur-testserver)

foreach(t test_http_download test_epoll test_http2)
  concur_unit_test(${t} SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c
                   ${PROJECT_SOURCE_DIR}/tests/unit/test_http_common.c
                   ${PROJECT_SOURCE_DIR}/tests/unit/test_http_server.c
                   LIBS concur_testserver CURL::libcurl)
  add_dependencies(${t} ${IO_TEST_DEPS})
endforeach()
# test_epoll's suite is every event-loop strategy's: the same binary, run on
# io_uring.
add_test(NAME test_io_uring COMMAND test_epoll io_uring)
get_test_property(test_epoll ENVIRONMENT IO_TEST_ENV)
set_tests_properties(test_io_uring PROPERTIES TIMEOUT 120
                     ENVIRONMENT "${IO_TEST_ENV}")

# The loop's read_at / write_at on epoll, io_uring and the bridge for 0.1
# event loops, with the async_io fixture workload.
concur_unit_test(test_async_io
                 SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_async_io.c
                 ${PROJECT_SOURCE_DIR}/tests/unit/test_plugins_common.c)
target_include_directories(test_async_io PRIVATE
                           ${PROJECT_SOURCE_DIR}/tests/fixtures/workloads)
add_dependencies(test_async_io plugin_strategy_epoll plugin_strategy_io_uring
                 fixture_async_io fixture_abi_v10_strategy)

# Where io_uring is refused: a launcher that denies io_uring_setup with a
# seccomp filter (as a container's profile does) runs the real binary.
add_executable(deny_io_uring ${PROJECT_SOURCE_DIR}/tests/fixtures/deny_io_uring.c)
target_compile_options(deny_io_uring PRIVATE ${CONCUR_WARNINGS})
set_target_properties(deny_io_uring PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fixtures)
concur_integration_test(io_uring)

# HTTP/2 in http_download against the builtin server and a real nginx.
concur_integration_test(http2 TIMEOUT 120)

# What a download costs besides itself: resident memory per download in
# flight and epoll_ctl calls (strace) per kept-alive download.  Release
# figures, left out of the sanitizer passes (shadow memory is not concur's,
# syscalls are the same in every build).
concur_integration_test(io_costs TIMEOUT 120)
