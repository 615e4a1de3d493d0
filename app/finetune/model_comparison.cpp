#include "app/finetune/model_comparison.h"

#include "app/finetune/data_check.h"
#include "app/finetune/job_error.h"
#include "app/finetune/training_job.h"
#include "app/inference/model_host.h"

#include <QDir>

#include <optional>

namespace vora::app {
namespace {

constexpr int kSamplesLooked = 50;

std::optional<ComparisonSample> sampleOf(const PreviewSample& sample)
{
    for (const PreviewTurn& turn : sample.turns) {
        if (turn.role == QLatin1String("user")) {
            QString question = turn.text;
            question.remove(QStringLiteral("<image>"));
            return ComparisonSample{sample.framePaths.value(0), question.trimmed()};
        }
    }
    return std::nullopt;
}

// Every value given to flag in arguments ("--flag value"), in order.
QStringList flagValues(const QStringList& arguments, const QString& flag)
{
    QStringList values;
    for (qsizetype i = 0; i + 1 < arguments.size(); ++i) {
        if (arguments.at(i) == flag) {
            values.append(arguments.at(i + 1));
        }
    }
    return values;
}

} // namespace

MergeComparison comparisonForMerge(const TrainingJob& merge, const QList<TrainingJob>& jobs)
{
    MergeComparison comparison{flagValues(merge.arguments, QStringLiteral("--model")).value(0), merge.outDir, {}};
    const auto folder = [](const QString& path) { return QDir::cleanPath(QDir(path).absolutePath()); };
    const QString run = folder(flagValues(merge.arguments, QStringLiteral("--checkpoint")).value(0));
    for (const TrainingJob& job : jobs) {
        if (job.kind == JobKind::Train && folder(job.outDir) == run) {
            comparison.sample = defaultComparisonSample(flagValues(job.arguments, QStringLiteral("--val-data")),
                                                        flagValues(job.arguments, QStringLiteral("--data")).value(0),
                                                        flagValues(job.arguments, QStringLiteral("--image-root")).value(0));
        }
    }
    return comparison;
}

ComparisonSample defaultComparisonSample(const QStringList& validationFiles, const QString& trainingFile, const QString& imageRoot)
{
    const QStringList files = validationFiles.isEmpty() ? QStringList{trainingFile} : validationFiles;
    std::optional<ComparisonSample> textOnly;
    for (const QString& file : files) {
        QList<PreviewSample> samples;
        try {
            samples = readPreviewSamples(file, imageRoot, kSamplesLooked);
        } catch (const JobError&) {
            continue; // a file gone since training: another may still serve
        }
        for (const PreviewSample& sample : samples) {
            const std::optional<ComparisonSample> found = sampleOf(sample);
            if (found && !found->imagePath.isEmpty()) {
                return *found;
            }
            if (found && !textOnly) {
                textOnly = found;
            }
        }
    }
    return textOnly.value_or(ComparisonSample{});
}

core::SamplingParams greedySampling()
{
    core::SamplingParams sampling;
    sampling.temperature = 0.0;
    sampling.topP = 1.0;
    sampling.topK = 0;
    sampling.minP = 0.0;
    sampling.repetitionPenalty = 1.0;
    sampling.seed = 0;
    return sampling;
}

ModelComparison::ModelComparison(std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent)
    , m_host(std::make_unique<ModelHost>(std::move(backend)))
{
    connect(m_host.get(), &ModelHost::loaded, this, &ModelComparison::onLoaded);
    connect(m_host.get(), &ModelHost::loadFailed, this, &ModelComparison::onFailed);
    connect(m_host.get(), &ModelHost::textReady, this, [this](quint64 id, const QString& text) {
        if (id == m_generation && running()) {
            m_answer.text += text;
            Q_EMIT sideText(m_side, text);
        }
    });
    connect(m_host.get(), &ModelHost::generationFinished, this, [this](quint64 id, const core::GenerationStats& stats) {
        if (id != m_generation || !running()) {
            return;
        }
        m_generation = 0;
        m_answer.answerSeconds = m_timer.elapsed() / 1000.0;
        m_answer.stats = stats;
        const int side = m_side;
        Q_EMIT sideFinished(side, m_answer);
        runSide(side + 1);
    });
    connect(m_host.get(), &ModelHost::generationFailed, this, [this](quint64 id, const QString& message) {
        if (id == m_generation && running()) {
            m_generation = 0;
            onFailed(message);
        }
    });
}

ModelComparison::~ModelComparison()
{
    if (m_stop) {
        m_stop->store(true); // the host's destructor waits for the request in flight
    }
}

void ModelComparison::start(const QString& baseDir, const QString& tunedDir, const ComparisonRequest& request)
{
    cancel();
    m_dirs = {baseDir, tunedDir};
    m_request = request;
    m_host->setLoadOptions(request.load);
    runSide(0);
}

void ModelComparison::cancel()
{
    if (m_stop) {
        m_stop->store(true);
    }
    if (running()) {
        m_side = -1;
        m_generation = 0;
        m_host->ejectModel();
    }
}

void ModelComparison::runSide(int side)
{
    if (side >= kSides) {
        m_side = -1;
        m_host->ejectModel(); // the comparison's memory goes back as soon as it is done
        Q_EMIT finished();
        return;
    }
    m_side = side;
    m_answer = {};
    m_stop = makeStopToken();
    Q_EMIT sideLoading(side, m_dirs.at(side));
    m_timer.start();
    m_host->loadModel(m_dirs.at(side)); // a folder that is no model fails at once (onFailed)
}

void ModelComparison::onLoaded(const ModelInfo& info)
{
    if (!running()) {
        return;
    }
    m_answer.loadSeconds = m_timer.elapsed() / 1000.0;
    ChatTurnInput question{QStringLiteral("user"), m_request.question, {}};
    if (!m_request.imagePath.isEmpty()) {
        if (info.hasVision) {
            question.imagePaths = {m_request.imagePath};
        } else {
            m_answer.withoutImage = true;
        }
    }
    core::GenerationSettings settings = info.defaults; // the model's end tokens and stop strings
    settings.sampling = m_request.sampling;
    settings.stop.maxNewTokens = m_request.maxNewTokens;
    settings.stop.minNewTokens = 0;
    m_timer.start();
    m_generation = m_host->generate({question}, settings, m_stop);
}

void ModelComparison::onFailed(const QString& message)
{
    if (!running()) {
        return;
    }
    const int side = m_side;
    Q_EMIT sideFailed(side, message);
    runSide(side + 1);
}

} // namespace vora::app
