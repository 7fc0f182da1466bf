# Fault tolerance: crash isolation, timeouts, kill -9
# and resume, signals, hostile input.  The `faulty` workload fixture is
# loaded through plugin_path from tests/fixtures/faults in the build tree.
set(FAULTS_FIXTURE_DIR ${CMAKE_BINARY_DIR}/tests/fixtures/faults)
add_library(fixture_faulty MODULE ${PROJECT_SOURCE_DIR}/tests/fixtures/faults/faulty.c)
set_target_properties(fixture_faulty PROPERTIES
  OUTPUT_NAME faulty PREFIX ""
  LIBRARY_OUTPUT_DIRECTORY ${FAULTS_FIXTURE_DIR}
  C_VISIBILITY_PRESET hidden)
target_include_directories(fixture_faulty PRIVATE ${CONCUR_PUBLIC_INCLUDE_DIR})
target_compile_options(fixture_faulty PRIVATE ${CONCUR_WARNINGS})

concur_integration_test(faults hostile)
