# The layering of harness/ (harness/CMakeLists.txt states the rule): each
# layer reaches its own and lower layers' headers, and an include of a
# header above or beside it does not compile.
set(LAYER_CHECKS
  base:util.h:pass base:config.h:fail base:testserver.h:fail
  engine:config.h:pass engine:abi_v10.h:pass engine:results.h:fail
  results:results.h:pass results:runner.h:pass results:abi_v10.h:fail
  results:report.h:fail results:plot.h:fail results:xlsx.h:fail
  results:compare.h:fail
  report:report.h:pass report:plot.h:fail report:xlsx.h:fail
  plot:plot.h:pass plot:report_load.h:fail plot:xlsx.h:fail
  xlsx:xlsx.h:pass xlsx:plot.h:fail xlsx:export.h:fail
  compare:compare.h:pass compare:report.h:fail compare:export.h:fail
  export:export.h:pass export:merge.h:fail export:report.h:fail
  cluster:merge.h:pass cluster:export.h:pass
  testserver:testserver.h:pass testserver:config.h:fail)
set(LAYER_ARGS "")
foreach(layer base engine results report plot xlsx compare export cluster
        testserver)
  list(APPEND LAYER_ARGS
    "-DINC_${layer}=$<JOIN:$<TARGET_PROPERTY:concur_${layer},INCLUDE_DIRECTORIES>,|>")
endforeach()
string(REPLACE ";" "," LAYER_CHECKS_ARG "${LAYER_CHECKS}")
add_test(NAME layers
  COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER}
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/layers ${LAYER_ARGS}
          "-DCHECKS=${LAYER_CHECKS_ARG}"
          -P ${PROJECT_SOURCE_DIR}/tests/layering/try_include.cmake)
set_tests_properties(layers PROPERTIES TIMEOUT 120)
