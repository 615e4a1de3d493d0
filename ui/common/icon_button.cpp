#include "ui/common/icon_button.h"

#include "ui/common/icons.h"
#include "ui/common/theme.h"

#include <QPainter>
#include <QPainterPath>

namespace vora::ui {
namespace {
constexpr int kIcon = 18;
constexpr int kPadding = 7;
constexpr int kTextGap = 6;
} // namespace

IconButton::IconButton(const QString& iconName, const QString& accessibleName, QWidget* parent, Kind kind)
    : QToolButton(parent)
    , m_kind(kind)
{
    setAccessibleName(accessibleName);
    setToolTip(accessibleName);
    setFocusPolicy(Qt::TabFocus);
    setCursor(Qt::PointingHandCursor);
    setIconSize({iconSide(), iconSide()});
    setAutoRaise(true);
    setIconName(iconName);
}

int IconButton::iconSide() const
{
    return m_kind == Kind::Badge ? 12 : kIcon;
}

void IconButton::setIconName(const QString& iconName)
{
    m_iconName = iconName;
    setIcon(m_kind == Kind::Flat ? themedIcon(iconName) : coloredIcon(iconName, Qt::white));
    update();
}

void IconButton::setShowsMenuChevron(bool shows)
{
    m_chevron = shows;
    updateGeometry();
    update();
}

void IconButton::setConcealed(bool concealed)
{
    if (concealed != m_concealed) {
        m_concealed = concealed;
        update();
    }
}

QSize IconButton::sizeHint() const
{
    if (m_kind == Kind::Badge) {
        return {22, 22};
    }
    const int side = kIcon + 2 * kPadding;
    if (text().isEmpty()) {
        return {side, side};
    }
    const int chevron = m_chevron ? kIcon : 0;
    return {side + kTextGap + fontMetrics().horizontalAdvance(text()) + kPadding + chevron, side};
}

void IconButton::enterEvent(QEnterEvent* event)
{
    m_hovered = true;
    update();
    QToolButton::enterEvent(event);
}

void IconButton::leaveEvent(QEvent* event)
{
    m_hovered = false;
    update();
    QToolButton::leaveEvent(event);
}

void IconButton::paintEvent(QPaintEvent*)
{
    if (m_concealed && !m_hovered && !hasFocus()) {
        return;
    }
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette& p = palette();
    const QRectF box = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    const qreal radius = m_kind == Kind::Flat ? 7 : box.height() / 2;
    QColor fill = Qt::transparent;
    if (m_kind == Kind::Badge) {
        fill = QColor(0, 0, 0, isDown() ? 235 : m_hovered ? 210 : 165);
    } else if (m_kind == Kind::Primary) {
        fill = isEnabled() ? accentColor(p) : mixColors(p.color(QPalette::Base), p.color(QPalette::Text), 0.22);
        if (isEnabled() && (isDown() || m_hovered)) {
            fill = mixColors(fill, p.color(QPalette::Text), isDown() ? 0.25 : 0.12);
        }
    } else if (isEnabled() && (isDown() || isChecked())) {
        fill = mixColors(p.color(QPalette::Window), accentColor(p), 0.22);
    } else if (isEnabled() && m_hovered) {
        fill = mixColors(p.color(QPalette::Window), p.color(QPalette::Text), 0.10);
    }
    if (fill.alpha() > 0) {
        QPainterPath path;
        path.addRoundedRect(box, radius, radius);
        painter.fillPath(path, fill);
    }
    if (hasFocus()) {
        painter.setPen(QPen(accentColor(p), 2));
        painter.drawRoundedRect(QRectF(rect()).adjusted(1, 1, -1, -1), radius + 0.5, radius + 0.5);
    }
    const QIcon::Mode mode = isEnabled() ? QIcon::Normal : QIcon::Disabled;
    const int top = (height() - kIcon) / 2;
    if (text().isEmpty()) {
        const int side = iconSide();
        icon().paint(&painter, QRect((width() - side) / 2, (height() - side) / 2, side, side), Qt::AlignCenter, mode);
        return;
    }
    icon().paint(&painter, QRect(kPadding, top, kIcon, kIcon), Qt::AlignCenter, mode);
    const int chevron = m_chevron ? kIcon : 0;
    if (m_chevron) {
        themedIcon(QStringLiteral("chevron-down"))
            .paint(&painter, QRect(width() - kPadding - kIcon + 4, top + 2, kIcon - 4, kIcon - 4), Qt::AlignCenter, mode);
    }
    painter.setPen(p.color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::ButtonText));
    const QRect textRect(kPadding + kIcon + kTextGap, 0, width() - kPadding - kIcon - kTextGap - kPadding / 2 - chevron,
                         height());
    painter.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                     fontMetrics().elidedText(text(), Qt::ElideRight, textRect.width()));
}

} // namespace vora::ui
