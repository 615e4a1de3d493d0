#include "app/inference/model_host.h"

#include "app/inference/inference_worker.h"
#include "app/models/model_card.h"
#include "app/models/model_folder_check.h"
#include "app/runtime_summary.h"

namespace vora::app {

ModelHost::ModelHost(std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent)
    , m_worker(new InferenceWorker(std::move(backend)))
{
    m_thread.setObjectName(QStringLiteral("inference"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &InferenceWorker::loadProgress, this, &ModelHost::onLoadProgress, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::loaded, this, &ModelHost::onLoaded, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::loadFailed, this, &ModelHost::onLoadFailed, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::budgetReady, this, &ModelHost::budgetReady, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::textReady, this, &ModelHost::textReady, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::promptTokensCounted, this, &ModelHost::promptTokensCounted, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::attentionReady, this, &ModelHost::attentionReady, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::generationFinished, this, &ModelHost::generationFinished, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::generationFailed, this, &ModelHost::generationFailed, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::rolloutReady, this, &ModelHost::rolloutReady, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::rolloutFailed, this, &ModelHost::rolloutFailed, Qt::QueuedConnection);
    m_thread.start();
}

ModelHost::~ModelHost()
{
    m_thread.quit();
    m_thread.wait();
}

void ModelHost::loadModel(const QString& modelDir)
{
    const ModelFolderCheck check = checkModelFolder(modelDir);
    if (!check.ok) {
        Q_EMIT loadFailed(tr("%1 cannot be opened as a model. %2").arg(check.name, check.problem));
        return;
    }
    m_loadRequestId = ++m_lastRequestId;
    m_info = {};
    m_loadingPath = modelDir;
    setState(ModelState::Loading);
    ModelLoadOptions options = m_loadOptions;
    if (options.device.isEmpty()) {
        options.device = runtimeSummary().bestDevice;
    }
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id = m_loadRequestId, modelDir, options] {
        worker->load(id, modelDir, options);
    }, Qt::QueuedConnection);
}

void ModelHost::ejectModel()
{
    m_loadRequestId = 0; // a load still running is no longer awaited; the unload queued after it frees it
    m_info = {};
    m_loadingPath.clear();
    setState(ModelState::None);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id = ++m_lastRequestId] { worker->unload(id); },
                              Qt::QueuedConnection);
    Q_EMIT ejected();
}

quint64 ModelHost::generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                            const StopToken& stop, AttentionDetailLevel attention)
{
    const quint64 id = ++m_lastRequestId;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, conversation, settings, stop, attention] {
        worker->generate(id, conversation, settings, stop, attention);
    }, Qt::QueuedConnection);
    return id;
}

quint64 ModelHost::countPromptTokens(const QList<ChatTurnInput>& conversation)
{
    const quint64 id = ++m_lastRequestId;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, conversation] { worker->countPromptTokens(id, conversation); },
                              Qt::QueuedConnection);
    return id;
}

QString ModelHost::rolloutUnavailableReason(const RolloutSource* source) const
{
    if (!source || !source->prompt) {
        return tr("Rollout needs the answer's prompt, which is kept only for answers generated since the app "
                  "started; regenerate the answer to see it.");
    }
    if (!isReady()) {
        return tr("Rollout runs the model again: load %1 first.").arg(source->modelPath);
    }
    if (m_info.path != source->modelPath) {
        return tr("Rollout needs the model that wrote this answer (%1); %2 is loaded.").arg(source->modelPath, m_info.path);
    }
    return {};
}

quint64 ModelHost::computeRollout(const RolloutSource& source)
{
    const quint64 id = ++m_lastRequestId;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, source] { worker->computeRollout(id, source); },
                              Qt::QueuedConnection);
    return id;
}

void ModelHost::onLoadProgress(quint64 requestId, double fraction, const QString& stage)
{
    if (requestId == m_loadRequestId) {
        Q_EMIT loadProgress(fraction, stage);
    }
}

void ModelHost::onLoaded(quint64 requestId, const ModelInfo& info)
{
    if (requestId != m_loadRequestId) {
        return;
    }
    m_loadRequestId = 0;
    m_loadingPath.clear();
    m_info = info;
    const ModelCard card = readModelCard(info.path, info.hasVision);
    m_info.isDemo = card.isDemo;
    m_info.note = card.note;
    setState(ModelState::Ready);
    Q_EMIT loaded(m_info);
}

void ModelHost::onLoadFailed(quint64 requestId, const QString& message)
{
    if (requestId != m_loadRequestId) {
        return;
    }
    m_loadRequestId = 0;
    m_loadingPath.clear();
    setState(ModelState::None);
    Q_EMIT loadFailed(message);
}

void ModelHost::setState(ModelState state)
{
    if (state != m_state) {
        m_state = state;
        Q_EMIT stateChanged(state);
    }
}

} // namespace vora::app
