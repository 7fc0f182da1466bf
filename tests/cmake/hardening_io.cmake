# Hardening of what concur reads and serves: hostile
# results files against `concur plot`, plugin folder trust, `concur serve`
# limits.  Each test runs the real binary.
concur_integration_test(plot_safety trust serve)
# A FIFO, a device or a folder as the input of merge, compare and plot.
concur_integration_test(special_files TIMEOUT 240)

concur_unit_test(test_xmltext SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_xmltext.c)
concur_unit_test(test_csvscan SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_csvscan.c)
concur_unit_test(test_svgnum SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_svgnum.c)
