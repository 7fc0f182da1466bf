# The INI experiment reader and typed values.
# Error fixtures: tests/fixtures/config/bad-*.ini, each stating its expected
# "LINE: message" on its first line.  The libFuzzer target is built by hand:
# see tests/fuzz/README.
foreach(t test_config test_value)
  concur_unit_test(${t} SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/${t}.c)
endforeach()
