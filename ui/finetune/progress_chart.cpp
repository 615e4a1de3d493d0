#include "ui/finetune/progress_chart.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace vora::ui {

using vora::app::ProgressSeries;

namespace {

QString seriesName(ProgressSeries series)
{
    switch (series) {
    case ProgressSeries::Loss:
        return QObject::tr("loss");
    case ProgressSeries::LmLoss:
        return QObject::tr("LM loss");
    case ProgressSeries::AuxLoss:
        return QObject::tr("distillation loss");
    case ProgressSeries::Lr:
        return QObject::tr("learning rate");
    case ProgressSeries::GradNorm:
        return QObject::tr("gradient norm");
    case ProgressSeries::TokensPerS:
        return QObject::tr("tokens/s");
    case ProgressSeries::MemoryBytes:
        return QObject::tr("memory (MiB)");
    case ProgressSeries::ValLoss:
        return QObject::tr("validation loss");
    }
    return {};
}

} // namespace

ProgressChart::ProgressChart(const QString& title, const QList<ProgressSeries>& series, QWidget* parent)
    : QChartView(parent)
    , m_series(series)
    , m_x(new QValueAxis)
    , m_y(new QValueAxis)
{
    auto* chart = new QChart;
    // Qt Charts does not follow the palette: pick its light or dark theme from the window colour.
    chart->setTheme(palette().color(QPalette::Window).lightness() < 128 ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setTitle(title);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->legend()->setVisible(series.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setBackgroundRoundness(4);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_x->setTitleText(tr("step"));
    m_y->setLabelFormat(QStringLiteral("%.4g"));
    for (const ProgressSeries s : series) {
        auto* line = new QLineSeries;
        line->setName(seriesName(s));
        chart->addSeries(line);
        line->attachAxis(m_x);
        line->attachAxis(m_y);
        m_lines.push_back(line);
    }
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(220, 160);
    redraw();
}

void ProgressChart::setProgress(vora::app::TrainingProgress* progress)
{
    disconnect(m_connection);
    m_progress = progress;
    if (progress) {
        m_connection = connect(progress, &vora::app::TrainingProgress::changed, this, &ProgressChart::redraw);
    }
    redraw();
}

void ProgressChart::redraw()
{
    double maxX = 1;
    double minY = std::numeric_limits<double>::max();
    double maxY = std::numeric_limits<double>::lowest();
    for (int i = 0; i < m_series.size(); ++i) {
        QList<QPointF> points = m_progress ? m_progress->points(m_series.at(i)) : QList<QPointF>();
        if (m_series.at(i) == ProgressSeries::MemoryBytes) {
            for (QPointF& point : points) {
                point.setY(point.y() / (1024.0 * 1024.0));
            }
        }
        for (const QPointF& point : points) {
            maxX = std::max(maxX, point.x());
            minY = std::min(minY, point.y());
            maxY = std::max(maxY, point.y());
        }
        m_lines.at(i)->replace(points);
    }
    if (m_progress && m_progress->totalSteps() > 0) {
        maxX = std::max<double>(maxX, m_progress->totalSteps());
    }
    if (minY > maxY) {
        minY = 0;
        maxY = 1;
    }
    const double pad = std::max((maxY - minY) * 0.08, std::abs(maxY) * 1e-3 + 1e-12);
    m_x->setRange(0, maxX);
    // Values that cannot be negative (all of these) keep the axis at or above zero.
    m_y->setRange(minY >= 0 ? std::max(0.0, minY - pad) : minY - pad, maxY + pad);
    m_y->applyNiceNumbers();
}

} // namespace vora::ui
