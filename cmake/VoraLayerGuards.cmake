# Enforces the layer picture of README.md ("Layout"): two towers on vora_core,
#   vora_core <- vora_training <- vora (the CLI)           no Qt at all
#   vora_core <- vora_app <- vora_ui <- vora-studio        Qt; no training code in the process
#  - vora_core and vora_training (and the vora CLI) must not link any Qt module, directly or
#    through another target.
#  - vora_app (and so vora_ui and vora-studio) must not link vora_training: the app runs training
#    as a `vora train` child process, so a crash or OOM there cannot take the window down.
#  - no file under ui/ may include a torch or ATen header; no file under app/, ui/ or studio/ may
#    include a training/ or cli/ header; no file under core/, training/ or cli/ an app/, ui/ or
#    studio/ header.
# The checks run at configure time and stop the configuration when broken.

function(_vora_collect_links target out)
  set(seen ${${out}})
  if(NOT TARGET ${target})
    return()
  endif()
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(aliased)
    set(target ${aliased})
  endif()
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(libs ${target} ${prop})
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
      if(lib IN_LIST seen)
        continue()
      endif()
      list(APPEND seen ${lib})
      _vora_collect_links(${lib} seen)
    endforeach()
  endforeach()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

function(vora_assert_no_qt target)
  set(links "")
  _vora_collect_links(${target} links)
  foreach(lib IN LISTS links)
    if(lib MATCHES "^Qt[0-9]*::" OR lib MATCHES "Qt6|libQt|KF6")
      message(FATAL_ERROR "Layer violation: ${target} links ${lib}. "
                          "core, training and the vora CLI must not depend on Qt (see docs/architecture.md).")
    endif()
  endforeach()
endfunction()

function(vora_assert_not_linked target forbidden)
  if(NOT TARGET ${target})
    return() # e.g. the gpu preset builds no Qt layers
  endif()
  set(links "")
  _vora_collect_links(${target} links)
  if(forbidden IN_LIST links)
    message(FATAL_ERROR "Layer violation: ${target} links ${forbidden}. "
                        "The app runs training as a `vora train` child process (see README.md, Layout).")
  endif()
endfunction()

# Refuses any file under PROJECT_SOURCE_DIR/<folder> that includes a header whose path starts with
# one of the prefixes (a regex alternative such as "torch|ATen|c10").
function(vora_assert_no_includes folder prefixes why)
  file(GLOB_RECURSE files ${PROJECT_SOURCE_DIR}/${folder}/*.h ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
  foreach(file IN LISTS files)
    file(STRINGS ${file} offending REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](${prefixes})/")
    if(offending)
      message(FATAL_ERROR "Layer violation: ${file} includes ${offending}. ${why}")
    endif()
  endforeach()
endfunction()

function(vora_check_layer_guards)
  foreach(target vora_core vora_training vora)
    vora_assert_no_qt(${target})
  endforeach()
  foreach(target vora_app vora_ui vora-studio)
    vora_assert_not_linked(${target} vora_training)
  endforeach()
  vora_assert_no_includes(ui "torch|ATen|c10" "ui/ must reach the model through vora_app only.")
  foreach(folder app ui studio)
    vora_assert_no_includes(${folder} "training|cli" "The app runs training as a `vora train` child process.")
  endforeach()
  foreach(folder core training cli)
    vora_assert_no_includes(${folder} "app|ui|studio" "core, training and the vora CLI build without Qt.")
  endforeach()
endfunction()
