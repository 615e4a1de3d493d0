#include "ui/common/error_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace vora::ui {

ErrorBanner::ErrorBanner(QWidget* parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_details(new QLabel(this))
    , m_toggle(new QToolButton(this))
{
    setObjectName(QStringLiteral("errorBanner"));
    setAccessibleName(tr("Error"));
    setFrameShape(QFrame::StyledPanel);
    // Fixed colours: the banner must read as an error on light and dark palettes alike.
    setStyleSheet(QStringLiteral("#errorBanner { background: #fdecea; border: 1px solid #e6a19a; border-radius: 4px; }"
                                 "#errorBanner QLabel { color: #611a15; }"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(24, 24));
    layout->addWidget(icon, 0, Qt::AlignTop);
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
    auto* close = new QToolButton(this);
    close->setObjectName(QStringLiteral("dismissErrorButton"));
    close->setText(tr("Dismiss"));
    close->setAccessibleName(tr("Dismiss error"));
    close->setAutoRaise(true);
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

} // namespace vora::ui
