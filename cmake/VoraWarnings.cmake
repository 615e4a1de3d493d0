# One warnings policy for project code. Third-party headers come in as SYSTEM includes, so their
# warnings never fail the build.
function(vora_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor
                                           -Wno-unused-parameter)
  if(VORA_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12/13 at -O3 (the GPU machine's g++ 13) raise known false positives inside inlined
    # libstdc++ vector code (GCC bugs 107852, 108197); GCC 14 does not. They stay visible as warnings.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 14)
      target_compile_options(${target} PRIVATE -Wno-error=array-bounds -Wno-error=stringop-overflow
                                               -Wno-error=aggressive-loop-optimizations -Wno-error=restrict)
    endif()
  endif()
endfunction()

# Torch's CMake package hands its include dirs as ordinary ones; re-export them as SYSTEM.
function(vora_link_torch target scope)
  target_link_libraries(${target} ${scope} ${TORCH_LIBRARIES})
  target_include_directories(${target} SYSTEM ${scope} ${TORCH_INCLUDE_DIRS})
endfunction()
