#pragma once
// A scripted ChatBackend for tests, screenshots and UI work without a model
// (VORA_STUDIO_FAKE_BACKEND=1 makes vora-studio use it). load/generate run on the worker thread;
// setScript and the observers may be called from any thread. Its model defaults come from the folder's
// generation_config.json through core's parser, as the real backend's do.
#include "app/inference/chat_backend.h"

#include <QMutex>

class QThread;

namespace vora::app {

struct FakeChatScript {
    QStringList pieces;           // the answer, piece by piece; empty: a markdown demo answer
    int pieceDelayMs = 0;         // sleep before each piece
    int loadDelayMs = 0;          // total load time, spread over 4 progress steps
    QString loadError;            // non-empty: load() throws this
    QString generateError;        // non-empty: generate() throws this after failAfterPieces pieces
    int failAfterPieces = 0;
    ModelInfo info;               // returned by load() (path, device, defaults filled in; maxContext 0: 4096)
};

class FakeChatBackend final : public ChatBackend {
public:
    explicit FakeChatBackend(FakeChatScript script = {});

    ModelInfo load(const QString& modelDir, const ModelLoadOptions& options,
                   const std::function<void(double, const QString&)>& progress) override;
    void unload() override;
    // A stand-in tokenizer: 8 positions of template, 4 per turn plus one per word of its text, and
    // (imageSize / patchSize)^2 per image.
    qint64 promptTokens(const QList<ChatTurnInput>& conversation) override;
    core::GenerationStats generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                                   const std::function<void(const QString&)>& onText,
                                   const std::atomic<bool>& stopRequested) override;

    void setScript(const FakeChatScript& script);
    QList<ChatTurnInput> lastConversation() const;
    ModelLoadOptions lastLoadOptions() const;
    core::GenerationSettings lastSettings() const;
    int generateCalls() const;
    // Every thread load, unload or generate ran on, so tests can check that none was the GUI thread.
    QList<QThread*> threadsUsed() const;
    bool isLoaded() const;

    static QStringList demoAnswer(int imageCount);

private:
    FakeChatScript script() const;
    void noteThread();

    mutable QMutex m_mutex;
    FakeChatScript m_script;
    QList<ChatTurnInput> m_lastConversation;
    ModelLoadOptions m_lastLoadOptions;
    ModelInfo m_info; // of the loaded model
    core::GenerationSettings m_lastSettings;
    int m_generateCalls = 0;
    QList<QThread*> m_threadsUsed;
    bool m_loaded = false;
};

} // namespace vora::app
