#pragma once
// The boundary between the chat application and the inference runtime. Plain Qt value types, no torch:
// vora_app and vora_ui compile against this header only; the runtime implements ChatBackend.
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace vora::app {

struct GenerationSettings {
    QString systemPrompt;
    double temperature = 0.7;
    double topP = 0.8;
    int topK = 20;
    double minP = 0.0;
    double repetitionPenalty = 1.05;
    int maxNewTokens = 512;
    qint64 seed = -1; // -1: random

    bool operator==(const GenerationSettings&) const = default;
};

struct ModelInfo {
    QString path;
    QString name;
    QString device;
    QString dtype;
    qint64 parameterCount = 0;
    int imageSize = 448;
    int patchSize = 14;
    // What the backend suggests; the app overlays the keys found in generation_config.json.
    GenerationSettings defaults;
    double loadSeconds = 0;
};

struct ChatTurnInput {
    QString role;           // system | user | assistant
    QString text;
    QStringList imagePaths; // absolute paths of image files, in order; placed before the text
};

struct GenerationStats {
    double prefillMs = 0;
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecond = 0;
    int promptTokens = 0;
    int generatedTokens = 0;
    qint64 peakMemoryBytes = 0;
    QString stopReason; // eos | length | stop | cancelled
};

// Called ONLY on the inference worker thread (one call at a time). Errors: throw std::exception
// (vora::core::Error derives from it) with a user-readable what().
class ChatBackend {
public:
    virtual ~ChatBackend() = default;
    virtual ModelInfo load(const QString& modelDir, const QString& device,
                           const std::function<void(double fraction, const QString& stage)>& progress) = 0;
    virtual void unload() = 0;
    // onText receives decoded text as it is produced. stopRequested may be set from any thread; the
    // backend checks it every decode step and returns with stopReason "cancelled".
    virtual GenerationStats generate(const QList<ChatTurnInput>& conversation, const GenerationSettings& settings,
                                     const std::function<void(const QString& piece)>& onText,
                                     const std::atomic<bool>& stopRequested) = 0;
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::GenerationSettings)
Q_DECLARE_METATYPE(vora::app::ModelInfo)
Q_DECLARE_METATYPE(vora::app::ChatTurnInput)
Q_DECLARE_METATYPE(vora::app::GenerationStats)
