#pragma once
// The boundary between the chat application and the inference runtime. Qt value types and core's
// plain generation types (no torch): vora_app and vora_ui compile against this header only; the
// runtime implements ChatBackend.
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace vora::app {

struct ModelInfo {
    QString path;
    QString name;
    QString device;
    QString dtype;
    qint64 parameterCount = 0;
    int imageSize = 448;
    int patchSize = 14;
    // The settings the model starts with: from its generation_config.json
    // (core::defaultGenerationSettings), computed by the backend.
    core::GenerationSettings defaults;
    double loadSeconds = 0;
};

struct ChatTurnInput {
    QString role;           // system | user | assistant
    QString text;
    QStringList imagePaths; // absolute paths of image files, in order; placed before the text
};

// Called ONLY on the inference worker thread (one call at a time). Errors: throw std::exception
// (vora::core::Error derives from it) with a user-readable what().
class ChatBackend {
public:
    virtual ~ChatBackend() = default;
    virtual ModelInfo load(const QString& modelDir, const QString& device,
                           const std::function<void(double fraction, const QString& stage)>& progress) = 0;
    virtual void unload() = 0;
    // conversation: every turn the model sees, a system turn included. onText receives decoded text
    // as it is produced. stopRequested may be set from any thread; the backend checks it every decode
    // step and returns with StopReason::Cancelled.
    virtual core::GenerationStats generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                                           const std::function<void(const QString& piece)>& onText,
                                           const std::atomic<bool>& stopRequested) = 0;
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ModelInfo)
Q_DECLARE_METATYPE(vora::app::ChatTurnInput)
