# Hardening: the hostile-plugin gallery (a strategy that
# misbehaves in every way the parent must survive), output-file safety,
# the crash-safety torture test.  Fixtures are built into the build tree and
# loaded through --plugin-path.
set(GALLERY_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/gallery)
add_library(fixture_rogue MODULE ${PROJECT_SOURCE_DIR}/tests/fixtures/gallery/rogue.c)
set_target_properties(fixture_rogue PROPERTIES
  OUTPUT_NAME rogue PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${GALLERY_FIXTURE_DIR}
  C_VISIBILITY_PRESET hidden)
target_include_directories(fixture_rogue PRIVATE ${CONCUR_PUBLIC_INCLUDE_DIR})
target_compile_options(fixture_rogue PRIVATE ${CONCUR_WARNINGS})

concur_integration_test(gallery hardening torture)

# What the parent reads back from a run's shared mapping, and printable text.
concur_unit_test(test_job SOURCES ${PROJECT_SOURCE_DIR}/tests/test_job.c)

# The one read-whole-file and the one atomic replace; the experiment's SHA-256.
concur_unit_test(test_fileio SOURCES ${PROJECT_SOURCE_DIR}/tests/test_fileio.c)
