#include "ui/common/error_banner.h"

#include "ui/common/icon_button.h"
#include "ui/common/icons.h"
#include "ui/common/theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QVBoxLayout>

namespace vora::ui {

ErrorBanner::ErrorBanner(QWidget* parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_details(new QLabel(this))
    , m_toggle(new QToolButton(this))
{
    setObjectName(QStringLiteral("errorBanner"));
    setAccessibleName(tr("Error"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(18, 10, 14, 6);
    updateIcon();
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    auto* text = new QVBoxLayout;
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setObjectName(QStringLiteral("errorTitle"));
    m_title->setWordWrap(true);
    m_details->setObjectName(QStringLiteral("errorDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setTextFormat(Qt::PlainText);
    text->addWidget(m_title);
    text->addWidget(m_details);
    layout->addLayout(text, 1);
    m_toggle->setText(tr("Hide details"));
    m_toggle->setAccessibleName(tr("Show or hide error details"));
    m_toggle->setAutoRaise(true);
    connect(m_toggle, &QToolButton::clicked, this, [this] {
        m_details->setVisible(!m_details->isVisible());
        m_toggle->setText(m_details->isVisible() ? tr("Hide details") : tr("Details"));
    });
    layout->addWidget(m_toggle, 0, Qt::AlignTop);
    auto* close = new IconButton(QStringLiteral("close"), tr("Dismiss error"), this);
    close->setObjectName(QStringLiteral("dismissErrorButton"));
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    layout->addWidget(close, 0, Qt::AlignTop);
    hide();
}

void ErrorBanner::showError(const QString& title, const QString& details)
{
    m_title->setText(title);
    m_details->setText(details);
    m_details->setVisible(!details.isEmpty());
    m_toggle->setVisible(!details.isEmpty());
    m_toggle->setText(tr("Hide details"));
    show();
}

QString ErrorBanner::title() const
{
    return m_title->text();
}

QString ErrorBanner::details() const
{
    return m_details->text();
}

void ErrorBanner::updateIcon()
{
    m_icon->setPixmap(coloredIcon(QStringLiteral("alert"), errorColor(palette())).pixmap(20, 20));
}

void ErrorBanner::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        updateIcon();
    }
    QFrame::changeEvent(event);
}

void ErrorBanner::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor base = palette().color(QPalette::Base);
    const QColor error = errorColor(palette());
    QPainterPath path;
    path.addRoundedRect(QRectF(rect()).adjusted(6.5, 4.5, -6.5, -0.5), 8, 8);
    painter.fillPath(path, mixColors(base, error, 0.12));
    painter.setPen(QPen(mixColors(base, error, 0.45), 1));
    painter.drawPath(path);
}

} // namespace vora::ui
