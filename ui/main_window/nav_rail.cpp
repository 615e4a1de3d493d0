#include "ui/main_window/nav_rail.h"

#include "ui/common/app_icon.h"
#include "ui/common/icon_button.h"
#include "ui/common/theme.h"

#include <QButtonGroup>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace vora::ui {

NavRail::NavRail(QWidget* parent)
    : QWidget(parent)
    , m_pages(new QVBoxLayout)
    , m_group(new QButtonGroup(this))
    , m_preferences(new IconButton(QStringLiteral("preferences"), tr("Preferences"), this))
{
    setObjectName(QStringLiteral("navRail"));
    setFixedWidth(52);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 10, 8, 10);
    layout->setSpacing(6);
    auto* logo = new QLabel(this);
    logo->setPixmap(appIconPixmap(28));
    logo->setAlignment(Qt::AlignHCenter);
    logo->setToolTip(tr("VoRA Studio"));
    layout->addWidget(logo);
    layout->addSpacing(8);
    m_pages->setSpacing(4);
    layout->addLayout(m_pages);
    layout->addStretch(1);
    m_preferences->setObjectName(QStringLiteral("preferencesButton"));
    m_preferences->setToolTip(tr("Preferences (Ctrl+,)"));
    layout->addWidget(m_preferences, 0, Qt::AlignHCenter);
    m_group->setExclusive(true);
    connect(m_group, &QButtonGroup::idClicked, this, &NavRail::pageChosen);
    connect(m_preferences, &IconButton::clicked, this, &NavRail::preferencesRequested);
}

int NavRail::addPage(const QString& iconName, const QString& title)
{
    auto* button = new IconButton(iconName, title, this);
    button->setObjectName(QStringLiteral("page_") + iconName);
    button->setCheckable(true);
    const int index = static_cast<int>(m_group->buttons().size());
    m_group->addButton(button, index);
    m_pages->addWidget(button, 0, Qt::AlignHCenter);
    if (index == 0) {
        button->setChecked(true);
    }
    return index;
}

void NavRail::setCurrentPage(int index)
{
    if (QAbstractButton* button = m_group->button(index)) {
        button->setChecked(true);
    }
}

void NavRail::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), mixColors(palette().color(QPalette::Window), palette().color(QPalette::Text), 0.035));
    painter.setPen(subtleBorder(palette()));
    painter.drawLine(width() - 1, 0, width() - 1, height());
}

} // namespace vora::ui
