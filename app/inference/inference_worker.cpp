#include "app/inference/inference_worker.h"

#include <QElapsedTimer>

#include <exception>

namespace vora::app {
namespace {

QString describe(const std::exception& error)
{
    const QString text = QString::fromUtf8(error.what()).trimmed();
    return text.isEmpty() ? QStringLiteral("Unknown error in the inference runtime.") : text;
}

} // namespace

InferenceWorker::InferenceWorker(std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent)
    , m_backend(std::move(backend))
{
}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::load(quint64 requestId, const QString& modelDir, const QString& device)
{
    try {
        m_backend->unload();
        const ModelInfo info = m_backend->load(modelDir, device, [&](double fraction, const QString& stage) {
            Q_EMIT loadProgress(requestId, fraction, stage);
        });
        Q_EMIT loaded(requestId, info);
    } catch (const std::exception& error) {
        Q_EMIT loadFailed(requestId, describe(error));
    } catch (...) {
        Q_EMIT loadFailed(requestId, QStringLiteral("Unknown error while loading the model."));
    }
}

void InferenceWorker::unload(quint64 requestId)
{
    try {
        m_backend->unload();
    } catch (const std::exception&) {
        // Unloading frees memory; a failure leaves nothing the user can act on.
    }
    Q_EMIT unloaded(requestId);
}

void InferenceWorker::generate(quint64 requestId, const QList<ChatTurnInput>& conversation,
                               const core::GenerationSettings& settings, const StopToken& stop)
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
        const core::GenerationStats stats = m_backend->generate(conversation, settings, onText, *stop);
        flush();
        Q_EMIT generationFinished(requestId, stats);
    } catch (const std::exception& error) {
        flush();
        Q_EMIT generationFailed(requestId, describe(error));
    } catch (...) {
        flush();
        Q_EMIT generationFailed(requestId, QStringLiteral("Unknown error during generation."));
    }
}

} // namespace vora::app
