#pragma once
// What a model folder says about itself for the app, beyond what the runtime reads: two optional
// config.json fields (docs/studio.md, "Model folders"):
//   "vora_studio_demo": true     the folder is VoRA Studio's demo model (packaging/demo-model)
//   "demo_model_note": "..."     plain text the app shows while the model is open: what it knows
// A demo model without a note gets the app's own sentence, which depends on whether the model sees
// images (the demo's text-only base does not). Reads one small JSON file. Any thread.
#include <QString>

namespace vora::app {

struct ModelCard {
    bool isDemo = false;
    QString note; // empty: nothing to say
};

// Missing or unreadable files and fields of the wrong type read as "nothing to say": the runtime's
// own load reports broken config files.
ModelCard readModelCard(const QString& modelDir, bool seesImages);

} // namespace vora::app
