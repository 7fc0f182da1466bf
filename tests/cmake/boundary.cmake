# The plugin boundary: what plugins may include, what the core links.
concur_integration_test(boundary TIMEOUT 120)

# The helpers the core keeps once: did-you-mean, kind names, plugin names,
# the outlier rule.
concur_unit_test(test_names SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_names.c LIBS m)
