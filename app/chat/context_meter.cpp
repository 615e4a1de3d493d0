#include "app/chat/context_meter.h"

#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/inference/model_view_image.h"

namespace vora::app {

ContextMeter::ContextMeter(ConversationController* controller, QObject* parent)
    : QObject(parent)
    , m_controller(controller)
    , m_host(controller->host())
{
    m_delay.setSingleShot(true);
    m_delay.setInterval(kDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &ContextMeter::recountNow);
    connect(m_host, &ModelHost::promptTokensCounted, this, &ContextMeter::onCounted);
    connect(m_host, &ModelHost::stateChanged, this, &ContextMeter::scheduleRecount);
    connect(controller, &ConversationController::currentConversationChanged, this, &ContextMeter::scheduleRecount);
    connect(controller, &ConversationController::settingsChanged, this, &ContextMeter::scheduleRecount);
    connect(controller, &ConversationController::generatingChanged, this, [this](bool generating) {
        if (!generating) {
            scheduleRecount();
        }
    });
    connect(controller->messages(), &QAbstractItemModel::rowsRemoved, this, &ContextMeter::scheduleRecount);
}

void ContextMeter::setDraft(const QString& text, int imageCount)
{
    if (text == m_draftText && imageCount == m_draftImages) {
        return;
    }
    m_draftText = text;
    m_draftImages = imageCount;
    scheduleRecount();
}

void ContextMeter::scheduleRecount()
{
    if (!m_host->isReady()) {
        m_delay.stop();
        m_requestId = 0;
        setUsage({});
        return;
    }
    m_delay.start();
}

void ContextMeter::recountNow()
{
    m_delay.stop();
    if (!m_host->isReady() || m_controller->isGenerating()) {
        return; // the worker is busy or gone; the end of the answer schedules a count
    }
    m_requestId = m_host->countPromptTokens(m_controller->turnsWithDraft(m_draftText));
}

void ContextMeter::onCounted(quint64 requestId, qint64 tokens)
{
    if (requestId != m_requestId || !m_host->isReady()) {
        return;
    }
    m_requestId = 0;
    const ModelInfo& info = m_host->info();
    ContextUsage usage;
    // Draft images are not files yet: each costs the model's full patch grid (the preview's count). A
    // text-only model refuses images, so they take no room there.
    const qint64 perImage = info.hasVision ? visionTokenCount(info.imageSize, info.patchSize) : 0;
    usage.promptTokens = tokens + qint64(m_draftImages) * perImage;
    usage.contextTokens = info.maxContext;
    usage.maxNewTokens = m_controller->effectiveSettings().generation.stop.maxNewTokens;
    setUsage(usage);
}

void ContextMeter::setUsage(const ContextUsage& usage)
{
    if (usage == m_usage) {
        return;
    }
    m_usage = usage;
    Q_EMIT usageChanged(usage);
}

} // namespace vora::app
