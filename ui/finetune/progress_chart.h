#pragma once
// One Qt Charts line chart of a training run's progress: the chosen series of TrainingProgress (step on
// the x axis), redrawn whenever the run reports. GUI thread.
#include "app/finetune/training_progress.h"

#include <QChartView>
#include <QList>

class QLineSeries;
class QValueAxis;

namespace vora::ui {

class ProgressChart : public QChartView {
    Q_OBJECT
public:
    ProgressChart(const QString& title, const QList<vora::app::ProgressSeries>& series, QWidget* parent = nullptr);

    // progress may be null (nothing to draw); it must outlive the chart or be replaced first.
    void setProgress(vora::app::TrainingProgress* progress);
    QLineSeries* line(int index) const { return m_lines.at(index); }

private:
    void redraw();

    QList<vora::app::ProgressSeries> m_series;
    QList<QLineSeries*> m_lines;
    QValueAxis* m_x;
    QValueAxis* m_y;
    vora::app::TrainingProgress* m_progress = nullptr;
    QMetaObject::Connection m_connection;
};

} // namespace vora::ui
