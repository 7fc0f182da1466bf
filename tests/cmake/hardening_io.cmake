# Hardening of what concur reads and serves: hostile
# results files against `concur plot`, plugin folder trust, `concur serve`
# limits.  Each test runs the real binary.
concur_integration_test(plot_safety trust serve)

concur_unit_test(test_xmltext SOURCES ${PROJECT_SOURCE_DIR}/tests/test_xmltext.c)
concur_unit_test(test_csvscan SOURCES ${PROJECT_SOURCE_DIR}/tests/test_csvscan.c)
concur_unit_test(test_svgnum SOURCES ${PROJECT_SOURCE_DIR}/tests/test_svgnum.c)
