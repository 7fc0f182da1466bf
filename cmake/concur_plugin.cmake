# concur_plugin(TARGET SOURCES src... NAME NAME DIR DIR [INCLUDE dir...]
#               [DEFINES def...] [LIBS lib...] [NO_WARNINGS]): a plugin as the loader
# finds it, DIR/NAME.so, for the shipped plugins and the test fixtures alike.
# Its include path is INCLUDE alone (default: the public header's folder),
# so a plugin that reaches into the harness does not compile, and it
# exports only what CONCUR_PLUGIN_EXPORT marks.  NO_WARNINGS: a fixture
# broken on purpose, whose cut-down variants leave code unused.
function(concur_plugin target)
  cmake_parse_arguments(P "NO_WARNINGS" "NAME;DIR" "SOURCES;INCLUDE;DEFINES;LIBS" ${ARGN})
  if(NOT P_INCLUDE)
    set(P_INCLUDE ${CONCUR_PUBLIC_INCLUDE_DIR})
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${P_NAME} PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${P_DIR} C_VISIBILITY_PRESET hidden)
  target_include_directories(${target} PRIVATE ${P_INCLUDE})
  if(NOT P_NO_WARNINGS)
    target_compile_options(${target} PRIVATE ${CONCUR_WARNINGS})
  endif()
  target_compile_definitions(${target} PRIVATE ${P_DEFINES})
  target_link_libraries(${target} PRIVATE ${P_LIBS})
endfunction()
