#include "ui/composer/context_meter_widget.h"

#include "ui/common/theme.h"

#include <QPainter>
#include <QPainterPath>

namespace vora::ui {
namespace {
constexpr int kBarWidth = 44;
constexpr int kBarHeight = 5;
constexpr int kGap = 6;
} // namespace

QString compactCount(qint64 count)
{
    if (count < 1000) {
        return QString::number(count);
    }
    if (count < 10000) {
        return QStringLiteral("%1k").arg(static_cast<double>(count) / 1000.0, 0, 'f', 1);
    }
    return QStringLiteral("%1k").arg(qRound64(static_cast<double>(count) / 1000.0));
}

ContextMeterWidget::ContextMeterWidget(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("contextMeter"));
    setAccessibleName(tr("Context used"));
    setVisible(false);
}

void ContextMeterWidget::setUsage(const vora::app::ContextUsage& usage)
{
    m_usage = usage;
    setVisible(usage.known());
    const QString used = tr("The conversation and your message take %1 of the model's %2-token context.")
                             .arg(QLocale().toString(usage.promptTokens), QLocale().toString(usage.contextTokens));
    const QString room = usage.full() ? notice()
        : usage.answerClamped()       ? notice()
                                      : tr("An answer may use up to %1 more (the chat's maximum new tokens).")
                                      .arg(QLocale().toString(usage.maxNewTokens));
    setToolTip(used + QLatin1Char('\n') + room);
    setAccessibleDescription(toolTip());
    updateGeometry();
    update();
}

QString ContextMeterWidget::label() const
{
    return QStringLiteral("%1 / %2").arg(compactCount(m_usage.promptTokens), compactCount(m_usage.contextTokens));
}

QString ContextMeterWidget::notice() const
{
    if (m_usage.full()) {
        return tr("Too long for this model's context (%1 of %2 tokens): start a new chat, remove an image, or shorten "
                  "your message.")
            .arg(QLocale().toString(m_usage.promptTokens), QLocale().toString(m_usage.contextTokens));
    }
    if (m_usage.answerClamped()) {
        return tr("The answer can have at most %1 new tokens here (the chat asks for %2): the context is nearly full. "
                  "Start a new chat for long answers.")
            .arg(QLocale().toString(m_usage.answerRoom()), QLocale().toString(m_usage.maxNewTokens));
    }
    return {};
}

QSize ContextMeterWidget::sizeHint() const
{
    return {kBarWidth + kGap + fontMetrics().horizontalAdvance(QStringLiteral("00.0k / 00k")), 24};
}

void ContextMeterWidget::paintEvent(QPaintEvent*)
{
    if (!m_usage.known()) {
        return;
    }
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette& p = palette();
    const QColor tone = m_usage.full()           ? errorColor(p)
        : m_usage.answerClamped()                ? warningColor(p)
                                                 : secondaryText(p);
    const QRectF bar(0.5, (height() - kBarHeight) / 2.0, kBarWidth, kBarHeight);
    QPainterPath track;
    track.addRoundedRect(bar, kBarHeight / 2.0, kBarHeight / 2.0);
    painter.fillPath(track, subtleBorder(p));
    const double share = std::clamp(static_cast<double>(m_usage.promptTokens) / static_cast<double>(m_usage.contextTokens), 0.0, 1.0);
    if (share > 0) {
        QPainterPath used;
        used.addRoundedRect(QRectF(bar.topLeft(), QSizeF(std::max(kBarHeight * 1.0, bar.width() * share), bar.height())),
                            kBarHeight / 2.0, kBarHeight / 2.0);
        painter.fillPath(used, m_usage.full() || m_usage.answerClamped() ? tone : accentColor(p));
    }
    painter.setPen(tone);
    painter.drawText(QRect(kBarWidth + kGap, 0, width() - kBarWidth - kGap, height()), Qt::AlignVCenter | Qt::AlignLeft,
                     label());
}

} // namespace vora::ui
