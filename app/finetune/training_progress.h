#pragma once
// What a training run has reported so far, from its progress.jsonl lines (the schema:
// docs/architecture.md, "Training progress"): the latest step and validation values, the checkpoints,
// and one series of (step, value) points per chart. A plain model for the run page's charts: they
// read points() and redraw on changed(). GUI thread.
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QStringList>

#include <array>

namespace vora::app {

enum class ProgressSeries { Loss, LmLoss, AuxLoss, Lr, GradNorm, TokensPerS, MemoryBytes, ValLoss };
inline constexpr int kProgressSeriesCount = 8;
// The progress.jsonl key a series is drawn from ("loss", ..., "val_loss").
QString progressSeriesKey(ProgressSeries series);

class TrainingProgress : public QObject {
    Q_OBJECT
public:
    explicit TrainingProgress(QObject* parent = nullptr);

    // Takes lines in file order; keys and events it does not know are ignored (the schema may grow).
    // A "resumed" line at step S drops the points after S: those steps are trained again (after a
    // kill, the steps since the last checkpoint), and a chart must not show both.
    void addLines(const QList<QJsonObject>& lines);
    void clear(); // the file was replaced (a new run in the same folder)

    const QList<QPointF>& points(ProgressSeries series) const { return m_series[static_cast<size_t>(series)]; }
    int step() const { return m_step; } // the last step reported; 0 before the first
    int totalSteps() const { return m_totalSteps; }
    QJsonObject latestStep() const { return m_latestStep; }             // the last "step" line
    QJsonObject latestValidation() const { return m_latestValidation; } // the last "validation" line
    QString lastEvent() const { return m_lastEvent; }                   // "done", "stopped", ...
    QStringList checkpoints() const { return m_checkpoints; }           // paths, oldest first
    int lineCount() const { return m_lineCount; }

Q_SIGNALS:
    void changed(); // once per addLines() or clear()

private:
    void addLine(const QJsonObject& line);
    void cutAfter(int step);

    std::array<QList<QPointF>, kProgressSeriesCount> m_series;
    int m_step = 0;
    int m_totalSteps = 0;
    QJsonObject m_latestStep;
    QJsonObject m_latestValidation;
    QString m_lastEvent;
    QStringList m_checkpoints;
    int m_lineCount = 0;
};

} // namespace vora::app
