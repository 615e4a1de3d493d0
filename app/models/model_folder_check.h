#pragma once
// Checks that a folder looks like a loadable model before it reaches the inference worker, so the
// user hears exactly what is missing instead of a runtime error. Reads small JSON files only. Any thread.
#include <QString>

namespace vora::app {

struct ModelFolderCheck {
    bool ok = false;
    QString problem;                // set when !ok: one or two sentences for the user
    QString name;                   // the folder name
};

// Also reads generation_config.json when there is one, through core's parser (the one that computes
// the model's defaults at load), so a broken file is named before the load starts.
ModelFolderCheck checkModelFolder(const QString& modelDir);

} // namespace vora::app
