# Hardening of what concur reads and serves (issue 11, part 2): hostile
# results files against `concur plot`, plugin folder trust, `concur serve`
# limits.  Each test runs the real binary.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
foreach(t plot_safety trust serve)
  add_test(NAME integration_${t}
           COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${t}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/integration)
  set_tests_properties(integration_${t} PROPERTIES TIMEOUT 300
    ENVIRONMENT "CONCUR_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR};CONCUR_TEST_BUILD_DIR=${PROJECT_BINARY_DIR}")
endforeach()

concur_unit_test(test_xmltext SOURCES ${PROJECT_SOURCE_DIR}/tests/test_xmltext.c)
concur_unit_test(test_csvscan SOURCES ${PROJECT_SOURCE_DIR}/tests/test_csvscan.c)
concur_unit_test(test_svgnum SOURCES ${PROJECT_SOURCE_DIR}/tests/test_svgnum.c)
