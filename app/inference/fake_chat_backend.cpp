#include "app/inference/fake_chat_backend.h"

#include "core/generation/generation_config.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QThread>

#include <stdexcept>

namespace vora::app {

FakeChatBackend::FakeChatBackend(FakeChatScript script)
    : m_script(std::move(script))
{
}

ModelInfo FakeChatBackend::load(const QString& modelDir, const ModelLoadOptions& options,
                                const std::function<void(double, const QString&)>& progress)
{
    noteThread();
    const FakeChatScript current = script();
    const QStringList stages = {QStringLiteral("Reading config"), QStringLiteral("Loading weights"),
                                QStringLiteral("Loading tokenizer"), QStringLiteral("Warming up")};
    for (qsizetype i = 0; i < stages.size(); ++i) {
        progress(static_cast<double>(i) / static_cast<double>(stages.size()), stages.at(i));
        QThread::msleep(static_cast<unsigned long>(current.loadDelayMs / 4));
    }
    if (!current.loadError.isEmpty()) {
        throw std::runtime_error(current.loadError.toStdString());
    }
    progress(1.0, QStringLiteral("Ready"));
    ModelInfo info = current.info;
    info.path = modelDir;
    if (info.name.isEmpty()) {
        info.name = QFileInfo(modelDir).fileName();
    }
    info.device = options.device;
    if (info.dtype.isEmpty()) {
        info.dtype = options.dtype == QLatin1String("auto") || options.dtype.isEmpty() ? QStringLiteral("bfloat16") : options.dtype;
    }
    if (info.maxContext <= 0) {
        info.maxContext = options.maxContext > 0 ? options.maxContext : 4096;
    }
    info.loadSeconds = current.loadDelayMs / 1000.0;
    info.defaults = core::defaultGenerationSettings(core::loadGenerationConfig(modelDir.toStdString()));
    QMutexLocker lock(&m_mutex);
    m_loaded = true;
    m_info = info;
    m_lastLoadOptions = options;
    return info;
}

void FakeChatBackend::unload()
{
    noteThread();
    QMutexLocker lock(&m_mutex);
    m_loaded = false;
}

qint64 FakeChatBackend::promptTokens(const QList<ChatTurnInput>& conversation)
{
    QMutexLocker lock(&m_mutex);
    if (!m_loaded) {
        throw std::runtime_error("No model is loaded.");
    }
    const qint64 perImage = qint64(m_info.imageSize / m_info.patchSize) * qint64(m_info.imageSize / m_info.patchSize);
    qint64 tokens = 8;
    for (const ChatTurnInput& turn : conversation) {
        tokens += 4 + turn.text.split(QLatin1Char(' '), Qt::SkipEmptyParts).size() + perImage * turn.imagePaths.size();
    }
    return tokens;
}

core::GenerationStats FakeChatBackend::generate(const QList<ChatTurnInput>& conversation,
                                                const core::GenerationSettings& settings,
                                                const std::function<void(const QString&)>& onText,
                                                const std::atomic<bool>& stopRequested)
{
    noteThread();
    FakeChatScript current;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_loaded) {
            throw std::runtime_error("No model is loaded.");
        }
        m_lastConversation = conversation;
        m_lastSettings = settings;
        ++m_generateCalls;
        current = m_script;
    }
    int images = 0;
    for (const ChatTurnInput& turn : conversation) {
        images += static_cast<int>(turn.imagePaths.size());
    }
    const qint64 promptLength = promptTokens(conversation);
    const QStringList pieces = current.pieces.isEmpty() ? demoAnswer(images) : current.pieces;

    QElapsedTimer clock;
    clock.start();
    core::GenerationStats stats;
    stats.promptTokens = promptLength;
    stats.imageTokens = images * qint64(current.info.imageSize / current.info.patchSize) * (current.info.imageSize / current.info.patchSize);
    stats.stopReason = core::StopReason::Eos;
    for (const QString& piece : pieces) {
        if (stopRequested.load()) {
            stats.stopReason = core::StopReason::Cancelled;
            break;
        }
        if (!current.generateError.isEmpty() && stats.generatedTokens >= current.failAfterPieces) {
            throw std::runtime_error(current.generateError.toStdString());
        }
        if (current.pieceDelayMs > 0) {
            QThread::msleep(static_cast<unsigned long>(current.pieceDelayMs));
        }
        if (stats.generatedTokens == 0) {
            stats.timeToFirstTokenMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
            stats.prefillMs = stats.timeToFirstTokenMs;
        }
        onText(piece);
        if (++stats.generatedTokens >= settings.stop.maxNewTokens) {
            stats.stopReason = core::StopReason::Length;
            break;
        }
    }
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    stats.decodeTokensPerSecond = seconds > 0 ? stats.generatedTokens / seconds : 0;
    return stats;
}

void FakeChatBackend::setScript(const FakeChatScript& script)
{
    QMutexLocker lock(&m_mutex);
    m_script = script;
}

FakeChatScript FakeChatBackend::script() const
{
    QMutexLocker lock(&m_mutex);
    return m_script;
}

ModelLoadOptions FakeChatBackend::lastLoadOptions() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastLoadOptions;
}

QList<ChatTurnInput> FakeChatBackend::lastConversation() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastConversation;
}

core::GenerationSettings FakeChatBackend::lastSettings() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastSettings;
}

int FakeChatBackend::generateCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_generateCalls;
}

QList<QThread*> FakeChatBackend::threadsUsed() const
{
    QMutexLocker lock(&m_mutex);
    return m_threadsUsed;
}

bool FakeChatBackend::isLoaded() const
{
    QMutexLocker lock(&m_mutex);
    return m_loaded;
}

void FakeChatBackend::noteThread()
{
    QMutexLocker lock(&m_mutex);
    if (!m_threadsUsed.contains(QThread::currentThread())) {
        m_threadsUsed.append(QThread::currentThread());
    }
}

QStringList FakeChatBackend::demoAnswer(int imageCount)
{
    const QString text =
        QStringLiteral("## What I see\n\n"
                       "This is the **fake backend** (VORA_STUDIO_FAKE_BACKEND=1); it saw %1 image(s).\n\n"
                       "- patches are *14x14* pixels\n- each patch is one token\n\n"
                       "| size | tokens |\n|---|---|\n| 448 | 1024 |\n| 224 | 256 |\n\n"
                       "A C++ sketch:\n\n"
                       "```cpp\n#include <vector>\n\n// Count the vision tokens of a square image.\n"
                       "int visionTokens(int imageSize, int patchSize)\n{\n"
                       "    const int side = imageSize / patchSize;\n    return side * side;\n}\n```\n\n"
                       "See `visionTokens(448, 14)` and [the VoRA paper](https://arxiv.org/abs/2503.20680).")
            .arg(imageCount);
    // Word-sized pieces, as a tokenizer would roughly produce.
    QStringList pieces;
    static const QRegularExpression word(QStringLiteral("\\S+\\s*|\\s+"));
    for (auto it = word.globalMatch(text); it.hasNext();) {
        pieces.append(it.next().captured());
    }
    return pieces;
}

} // namespace vora::app
