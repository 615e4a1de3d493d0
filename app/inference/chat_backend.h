#pragma once
// The boundary between the chat application and the inference runtime. Qt value types and core's
// plain generation types (no torch): vora_app and vora_ui compile against this header only; the
// runtime implements ChatBackend.
#include "app/attention/answer_attention.h"
#include "app/attention/answer_rollout.h"
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"
#include "core/generation/token_budget.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <stdexcept>

namespace vora::app {

// How a model is loaded: chosen in the app's preferences, applied at the next load.
struct ModelLoadOptions {
    QString device;                     // "cpu", "cuda:0", ...; empty: the best device (runtimeSummary)
    QString dtype = QStringLiteral("auto"); // auto | bfloat16 | float16 | float32
    qint64 maxContext = 0;              // tokens; 0: the model's own (at most 32768)

    bool operator==(const ModelLoadOptions&) const = default;
};

struct ModelInfo {
    QString path;
    QString name;
    QString device;
    QString dtype;
    qint64 parameterCount = 0;
    // What the loaded weights hold on the device (the KV cache comes on top while it answers).
    qint64 weightBytes = 0;
    int imageSize = 448;
    int patchSize = 14;
    bool hasVision = true;   // false: a text-only model (images are refused)
    qint64 maxContext = 0;   // the context the model was loaded with, in tokens
    // The settings the model starts with: from its generation_config.json
    // (core::defaultGenerationSettings), computed by the backend.
    core::GenerationSettings defaults;
    double loadSeconds = 0;
    // What the model folder says about itself for the app (app/models/model_card.h), filled in by ModelHost.
    bool isDemo = false;
    QString note;
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
    virtual ModelInfo load(const QString& modelDir, const ModelLoadOptions& options,
                           const std::function<void(double fraction, const QString& stage)>& progress) = 0;
    virtual void unload() = 0;
    // Positions the conversation takes in the model's context (images expanded to their patches), as
    // generate() would build it.
    virtual qint64 promptTokens(const QList<ChatTurnInput>& conversation) = 0;
    // conversation: every turn the model sees, a system turn included. settings.stop.maxNewTokens
    // already fits the context (the worker fits it). onText receives decoded text as it is produced.
    // stopRequested may be set from any thread; the backend checks it every decode step and returns
    // with StopReason::Cancelled.
    virtual core::GenerationStats generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                                           const std::function<void(const QString& piece)>& onText,
                                           const std::atomic<bool>& stopRequested) = 0;
    // The attention the next generate() records over the prompt's images (Off: none). A backend
    // without a capture ignores it and takeAttention() stays empty.
    virtual void setAttentionCapture(AttentionDetailLevel detail) { (void)detail; }
    // What the last generate() recorded; empty when nothing was asked or the prompt had no image.
    virtual AnswerAttention takeAttention() { return {}; }
    // The rollout of an answer this backend generated (source from its takeAttention()), by one explicit
    // re-prefill of prompt + answer; the backend keeps the last few results, so asking again is free.
    // Throws when the backend cannot (no model, no rollout support) with a user-readable what().
    virtual AnswerRollout rollout(const RolloutSource& source)
    {
        (void)source;
        throw std::runtime_error("This model backend does not compute rollout.");
    }
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ModelInfo)
Q_DECLARE_METATYPE(vora::app::ModelLoadOptions)
Q_DECLARE_METATYPE(vora::core::TokenBudget)
Q_DECLARE_METATYPE(vora::app::ChatTurnInput)
