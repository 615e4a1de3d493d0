#include "app/inference/inference_worker.h"

#include "core/error.h"

#include <QElapsedTimer>

#include <exception>
#include <stdexcept>

namespace vora::app {
namespace {

QString describe(const std::exception& error)
{
    const QString text = QString::fromStdString(core::describeException(error)).trimmed();
    return text.isEmpty() ? QStringLiteral("Unknown error in the inference runtime.") : text;
}

} // namespace

InferenceWorker::InferenceWorker(std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent)
    , m_backend(std::move(backend))
{
}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::load(quint64 requestId, const QString& modelDir, const ModelLoadOptions& options)
{
    try {
        m_maxContext = 0;
        m_backend->unload();
        const ModelInfo info = m_backend->load(modelDir, options, [&](double fraction, const QString& stage) {
            Q_EMIT loadProgress(requestId, fraction, stage);
        });
        m_maxContext = info.maxContext;
        Q_EMIT loaded(requestId, info);
    } catch (const std::exception& error) {
        Q_EMIT loadFailed(requestId, describe(error));
    } catch (...) {
        Q_EMIT loadFailed(requestId, QStringLiteral("Unknown error while loading the model."));
    }
}

void InferenceWorker::unload(quint64 requestId)
{
    m_maxContext = 0;
    try {
        m_backend->unload();
    } catch (const std::exception&) {
        // Unloading frees memory; a failure leaves nothing the user can act on.
    }
    Q_EMIT unloaded(requestId);
}

void InferenceWorker::generate(quint64 requestId, const QList<ChatTurnInput>& conversation,
                               const core::GenerationSettings& settings, const StopToken& stop,
                               AttentionDetailLevel attention)
{
    if (stop->load()) {
        core::GenerationStats stats;
        stats.stopReason = core::StopReason::Cancelled;
        Q_EMIT generationFinished(requestId, stats);
        return;
    }
    QString pending;
    QElapsedTimer sinceBatch;
    const auto flush = [&] {
        if (!pending.isEmpty()) {
            Q_EMIT textReady(requestId, pending);
            pending.clear();
        }
        sinceBatch.start();
    };
    const auto onText = [&](const QString& piece) {
        pending += piece;
        if (!sinceBatch.isValid() || sinceBatch.elapsed() >= kBatchIntervalMs) {
            flush();
        }
    };
    try {
        const core::TokenBudget budget = fitBudget(m_backend->promptTokens(conversation), settings);
        Q_EMIT budgetReady(requestId, budget);
        core::GenerationSettings fitted = settings;
        fitted.stop = core::withTokenBudget(settings.stop, budget);
        m_backend->setAttentionCapture(attention);
        const core::GenerationStats stats = m_backend->generate(conversation, fitted, onText, *stop);
        flush();
        if (AnswerAttention map = m_backend->takeAttention(); !map.isEmpty()) {
            Q_EMIT attentionReady(requestId, map);
        }
        Q_EMIT generationFinished(requestId, stats);
    } catch (const std::exception& error) {
        flush();
        Q_EMIT generationFailed(requestId, describe(error));
    } catch (...) {
        flush();
        Q_EMIT generationFailed(requestId, QStringLiteral("Unknown error during generation."));
    }
}

void InferenceWorker::countPromptTokens(quint64 requestId, const QList<ChatTurnInput>& conversation)
{
    try {
        Q_EMIT promptTokensCounted(requestId, m_backend->promptTokens(conversation));
    } catch (const std::exception&) {
        // No model, or an image that cannot be read: the meter keeps its last value; sending will say why.
    }
}

void InferenceWorker::computeRollout(quint64 requestId, const RolloutSource& source)
{
    try {
        Q_EMIT rolloutReady(requestId, m_backend->rollout(source));
    } catch (const std::exception& error) {
        Q_EMIT rolloutFailed(requestId, describe(error));
    }
}

core::TokenBudget InferenceWorker::fitBudget(qint64 promptTokens, const core::GenerationSettings& settings) const
{
    core::validateStopCriteria(settings.stop);
    if (promptTokens >= m_maxContext) {
        throw std::runtime_error(
            QObject::tr("This conversation takes %1 tokens, but the model's context holds %2, so no room is left for "
                        "an answer. Start a new chat, remove images, or shorten your message; or raise the context "
                        "length in Preferences if the model supports a longer one.")
                .arg(promptTokens)
                .arg(m_maxContext)
                .toStdString());
    }
    return core::fitTokenBudget(promptTokens, m_maxContext, settings.stop.maxNewTokens);
}

} // namespace vora::app
