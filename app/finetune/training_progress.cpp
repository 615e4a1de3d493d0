#include "app/finetune/training_progress.h"

namespace vora::app {
namespace {

constexpr std::array<ProgressSeries, 7> kStepSeries = {ProgressSeries::Loss,     ProgressSeries::LmLoss,     ProgressSeries::AuxLoss,
                                                       ProgressSeries::Lr,       ProgressSeries::GradNorm,   ProgressSeries::TokensPerS,
                                                       ProgressSeries::MemoryBytes};

} // namespace

QString progressSeriesKey(ProgressSeries series)
{
    switch (series) {
    case ProgressSeries::Loss: return QStringLiteral("loss");
    case ProgressSeries::LmLoss: return QStringLiteral("lm_loss");
    case ProgressSeries::AuxLoss: return QStringLiteral("aux_loss");
    case ProgressSeries::Lr: return QStringLiteral("lr");
    case ProgressSeries::GradNorm: return QStringLiteral("grad_norm");
    case ProgressSeries::TokensPerS: return QStringLiteral("tokens_per_s");
    case ProgressSeries::MemoryBytes: return QStringLiteral("memory_bytes");
    case ProgressSeries::ValLoss: return QStringLiteral("val_loss");
    }
    return {};
}

TrainingProgress::TrainingProgress(QObject* parent)
    : QObject(parent)
{
}

void TrainingProgress::addLines(const QList<QJsonObject>& lines)
{
    for (const QJsonObject& line : lines) {
        addLine(line);
    }
    Q_EMIT changed();
}

void TrainingProgress::clear()
{
    for (QList<QPointF>& series : m_series) {
        series.clear();
    }
    m_step = 0;
    m_totalSteps = 0;
    m_latestStep = {};
    m_latestValidation = {};
    m_lastEvent.clear();
    m_checkpoints.clear();
    m_lineCount = 0;
    Q_EMIT changed();
}

void TrainingProgress::addLine(const QJsonObject& line)
{
    const QString event = line.value(QStringLiteral("event")).toString();
    const int step = line.value(QStringLiteral("step")).toInt();
    ++m_lineCount;
    m_lastEvent = event;
    if (line.contains(QStringLiteral("total_steps"))) {
        m_totalSteps = line.value(QStringLiteral("total_steps")).toInt();
    }
    if (event == QLatin1String("step")) {
        m_step = step;
        m_latestStep = line;
        for (const ProgressSeries series : kStepSeries) {
            const QJsonValue value = line.value(progressSeriesKey(series));
            if (value.isDouble()) {
                m_series[static_cast<size_t>(series)].push_back(QPointF(step, value.toDouble()));
            }
        }
    } else if (event == QLatin1String("validation")) {
        m_latestValidation = line;
        const QJsonValue value = line.value(QStringLiteral("val_loss"));
        if (value.isDouble()) {
            m_series[static_cast<size_t>(ProgressSeries::ValLoss)].push_back(QPointF(step, value.toDouble()));
        }
    } else if (event == QLatin1String("checkpoint")) {
        m_checkpoints.push_back(line.value(QStringLiteral("path")).toString());
    } else if (event == QLatin1String("resumed")) {
        cutAfter(step);
        m_step = step;
    }
}

void TrainingProgress::cutAfter(int step)
{
    for (QList<QPointF>& series : m_series) {
        while (!series.isEmpty() && series.constLast().x() > step) {
            series.removeLast();
        }
    }
}

} // namespace vora::app
