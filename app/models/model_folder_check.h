#pragma once
// Checks that a folder looks like a loadable model before it reaches the inference worker, so the
// user hears exactly what is missing instead of a runtime error. Reads small JSON files only. Any thread.
#include "app/inference/chat_backend.h"

#include <QJsonObject>
#include <QString>

namespace vora::app {

struct ModelFolderCheck {
    bool ok = false;
    QString problem;                // set when !ok: one or two sentences for the user
    QString name;                   // the folder name
    QJsonObject generationConfig;   // generation_config.json, empty when absent
};

ModelFolderCheck checkModelFolder(const QString& modelDir);

// base with every sampling key that generation_config.json sets (temperature, top_p, top_k, min_p,
// repetition_penalty, max_new_tokens; do_sample false means greedy: temperature 0).
GenerationSettings overlayGenerationConfig(GenerationSettings base, const QJsonObject& generationConfig);

} // namespace vora::app
