set(VORA_TEST_DATA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/data)

# vora_add_test(NAME name SOURCES ... LIBS ... LABELS ... [TIMEOUT s])
function(vora_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Qt6::Core Qt6::Test)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${T_NAME} PRIVATE QT_NO_KEYWORDS
    VORA_TEST_DATA_DIR="${VORA_TEST_DATA_DIR}"
    VORA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    VORA_BINARY_DIR="${PROJECT_BINARY_DIR}"
    # Builds without the sentencepiece module (the asan preset) check that it is reported missing instead.
    $<$<BOOL:${VORA_WITH_SENTENCEPIECE}>:VORA_WITH_SENTENCEPIECE>)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
  vora_set_warnings(${T_NAME})
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  # A suite that cannot run in this build says "suite skipped: <why>" (tests/common/requires_opencv.h):
  # CTest then lists it as skipped, not passed.
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    SKIP_REGULAR_EXPRESSION "suite skipped:"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;OMP_NUM_THREADS=2")
endfunction()
