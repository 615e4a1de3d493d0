#pragma once
// What the wizard's base-model step shows about a model folder: its architecture, parameter count,
// size on disk, and whether it already sees (a VoRA checkpoint with vision keys in config.json) or will
// get a fresh vision embedding from "teach it to see". Reads config.json and the safetensors headers
// through core's parsers (no weights are loaded). Any thread.
#include <QString>

namespace vora::app {

struct BaseModelInfo {
    QString folder;
    QString name;         // the folder name
    QString architecture; // "qwen2 · 2 layers · width 64"
    int layers = 0;
    qint64 width = 0;     // hidden size
    qint64 parameters = 0;
    qint64 diskBytes = 0; // every file in the folder (not recursive)
    bool sees = false;    // config.json has VoRA's vision keys
};

// Throws JobError with core's message (naming the file and field) for a folder that is no model.
BaseModelInfo readBaseModelInfo(const QString& modelDir);

// "1.2 GiB", "640 KiB": sizes for the wizard's labels.
QString formatBytes(qint64 bytes);
// "2.69 M", "7.6 B"
QString formatCount(qint64 count);

} // namespace vora::app
