#pragma once
// The composer's context meter: a small bar and "1.2k / 4k" for the tokens the next message would take
// of the model's context, amber when the answer will get fewer new tokens than its setting, red when
// nothing fits; the tooltip and notice() say what it means and what to change. GUI thread only.
#include "app/chat/context_meter.h"

#include <QWidget>

namespace vora::ui {

class ContextMeterWidget : public QWidget {
    Q_OBJECT
public:
    explicit ContextMeterWidget(QWidget* parent = nullptr);

    void setUsage(const vora::app::ContextUsage& usage);
    vora::app::ContextUsage usage() const { return m_usage; }
    QString label() const;  // "1.2k / 4k"
    // One sentence when something does not fit (empty otherwise), for the line under the composer.
    QString notice() const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    vora::app::ContextUsage m_usage;
};

// 950 -> "950", 1234 -> "1.2k", 32768 -> "33k".
QString compactCount(qint64 count);

} // namespace vora::ui
