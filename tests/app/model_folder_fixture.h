#pragma once
// Writes a folder that passes the app's model-folder check (config, weights, tokenizer, generation
// config); its files are placeholders, good for the fake backend only.
#include <QDir>
#include <QFile>
#include <QString>

namespace vora::tests {

inline void writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(bytes);
    }
}

inline QString makeModelFolder(const QString& parent, const QString& name = QStringLiteral("VoRA-7B-Instruct"))
{
    QDir dir(parent);
    dir.mkpath(name);
    dir.cd(name);
    writeFile(dir.filePath(QStringLiteral("config.json")),
              R"({"model_type": "vora", "architectures": ["VoRAForCausalLM"], "image_size": 448, "patch_size": 14})");
    writeFile(dir.filePath(QStringLiteral("model.safetensors")), "placeholder");
    writeFile(dir.filePath(QStringLiteral("tokenizer.json")), "{}");
    writeFile(dir.filePath(QStringLiteral("generation_config.json")),
              R"({"do_sample": true, "temperature": 0.3, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.1})");
    return dir.path();
}

} // namespace vora::tests
