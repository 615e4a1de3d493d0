#pragma once
// How much of the model's context the next message would use: the open conversation (its system
// prompt and every turn the model sees) plus the message being written and its images, counted by the
// model's own tokenizer on the inference worker, a short while after the last change. Feeds the
// composer's meter and says what to change when something cannot fit. GUI thread only.
#include "app/inference/model_host.h"

#include <QObject>
#include <QTimer>

#include <algorithm>

namespace vora::app {

class ConversationController;

struct ContextUsage {
    qint64 promptTokens = -1;  // -1: not counted (no model yet)
    qint64 contextTokens = 0;  // the loaded model's context
    int maxNewTokens = 0;      // the open chat's setting

    bool known() const { return promptTokens >= 0 && contextTokens > 0; }
    bool full() const { return known() && promptTokens >= contextTokens; }               // nothing fits
    bool answerClamped() const { return known() && promptTokens + maxNewTokens > contextTokens; }
    qint64 answerRoom() const { return known() ? std::max<qint64>(0, contextTokens - promptTokens) : 0; }
    bool operator==(const ContextUsage&) const = default;
};

class ContextMeter : public QObject {
    Q_OBJECT
public:
    static constexpr int kDelayMs = 250;

    // controller (and its host) must outlive the meter.
    explicit ContextMeter(ConversationController* controller, QObject* parent = nullptr);

    ContextUsage usage() const { return m_usage; }
    // The message being written: its text and the number of images attached to it.
    void setDraft(const QString& text, int imageCount);
    // Counts now instead of after kDelayMs (tests, and after a send).
    void recountNow();

Q_SIGNALS:
    void usageChanged(const vora::app::ContextUsage& usage);

private:
    void scheduleRecount();
    void onCounted(quint64 requestId, qint64 tokens);
    void setUsage(const ContextUsage& usage);

    ConversationController* m_controller;
    ModelHost* m_host;
    QTimer m_delay;
    QString m_draftText;
    int m_draftImages = 0;
    quint64 m_requestId = 0;
    ContextUsage m_usage;
};

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::ContextUsage)
