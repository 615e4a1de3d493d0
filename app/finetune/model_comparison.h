#pragma once
// "Compare" after a merge: the same image and question answered by two model folders (the base and
// the tuned one), one after the other on one ModelHost: the chat's own inference worker and runtime
// generation, so only one of the two models is in memory at a time and the GUI thread never waits.
// Both sides get the same sampling (greedy unless asked otherwise, so the comparison is
// reproducible) and the same new-token budget; end tokens and stop strings stay each model's own,
// since they belong to its vocabulary. A side that fails (its folder gone, out of memory) says so in
// its own signal and the other side still runs. GUI thread.
#include "app/inference/chat_backend.h"
#include "app/inference/stop_token.h"

#include <QElapsedTimer>
#include <QObject>

#include <array>
#include <memory>

namespace vora::app {

class ModelHost;

// The image and question Compare starts with: the first sample with an image (else the first) of the
// run's validation files, or of its training file when it has none; the first user turn's text
// without its <image> placeholders. Unreadable files are passed over; none readable: both empty.
struct ComparisonSample {
    QString imagePath;
    QString question;
};
ComparisonSample defaultComparisonSample(const QStringList& validationFiles, const QString& trainingFile, const QString& imageRoot);

// What Compare needs for a finished merge job: its base (--model), the merged folder, and the sample
// of the training that wrote its checkpoint, when that training is in jobs (its --val-data, --data and
// --image-root); a sample of neither when it is not.
struct TrainingJob;
struct MergeComparison {
    QString baseDir;
    QString tunedDir;
    ComparisonSample sample;
};
MergeComparison comparisonForMerge(const TrainingJob& merge, const QList<TrainingJob>& jobs);

// Greedy: argmax at every step, nothing random and no penalty, so a run repeats exactly.
core::SamplingParams greedySampling();

struct ComparisonRequest {
    QString imagePath; // empty: the question alone
    QString question;
    core::SamplingParams sampling = greedySampling();
    int maxNewTokens = 64;
    ModelLoadOptions load; // device and dtype, for both models
};

struct ComparisonAnswer {
    QString text;
    double loadSeconds = 0;
    double answerSeconds = 0;  // from asking to the last token (prefill and decode)
    core::GenerationStats stats;
    bool withoutImage = false; // the model reads text only, so it was asked the question alone
};

class ModelComparison : public QObject {
    Q_OBJECT
public:
    static constexpr int kSides = 2; // 0: the base, 1: the tuned model

    // backend moves to the comparison's own worker thread (a ModelHost).
    explicit ModelComparison(std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    ~ModelComparison() override; // stops a generation in flight and waits for the worker

    // Starts with side 0; a comparison still running is cancelled first.
    void start(const QString& baseDir, const QString& tunedDir, const ComparisonRequest& request);
    // Stops the answer in flight; the sides not yet run are skipped.
    void cancel();
    bool running() const { return m_side >= 0; }

Q_SIGNALS:
    void sideLoading(int side, const QString& modelDir);
    void sideText(int side, const QString& text); // the answer's text since the last piece
    void sideFinished(int side, const vora::app::ComparisonAnswer& answer);
    void sideFailed(int side, const QString& message);
    void finished(); // both sides reported; the last model is unloaded

private:
    void runSide(int side);
    void onLoaded(const ModelInfo& info);
    void onFailed(const QString& message);

    std::unique_ptr<ModelHost> m_host;
    std::array<QString, kSides> m_dirs;
    ComparisonRequest m_request;
    int m_side = -1; // the side running; -1 when idle
    quint64 m_generation = 0;
    StopToken m_stop;
    QElapsedTimer m_timer;
    ComparisonAnswer m_answer;
};

} // namespace vora::app
