#pragma once
// Where the app finds the `vora` command it runs training and merge jobs with: the VORA_CLI environment
// variable when set (a build tree, a test), else `vora` next to the app's own executable (how the build
// and the installed layout place it), else `vora` on PATH.
#include <QString>

namespace vora::app {

// Throws JobError listing the places it looked when none holds an executable `vora`.
QString findVoraExecutable();

} // namespace vora::app
