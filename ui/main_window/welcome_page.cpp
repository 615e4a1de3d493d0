#include "ui/main_window/welcome_page.h"

#include "app/models/recent_models_model.h"
#include "ui/common/app_icon.h"
#include "ui/common/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace vora::ui {

WelcomePage::WelcomePage(vora::app::RecentModelsModel* recentModels, QWidget* parent)
    : QWidget(parent)
    , m_recentModels(recentModels)
    , m_recentTitle(new QLabel(tr("Recent models"), this))
    , m_recentView(new QListView(this))
{
    setObjectName(QStringLiteral("welcomePage"));
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    auto* logo = new QLabel(this);
    logo->setPixmap(appIconPixmap(96));
    logo->setAlignment(Qt::AlignCenter);
    layout->addWidget(logo);
    auto* title = new QLabel(tr("<h1>VoRA Studio</h1>"), this);
    title->setAlignment(Qt::AlignCenter);
    layout->addWidget(title);
    auto* blurb = new QLabel(tr("Chat with images through encoder-free VoRA models, see where the model looks, "
                                "and fine-tune it on your own GPU.<br>Everything runs on this computer."),
                             this);
    blurb->setWordWrap(true);
    blurb->setAlignment(Qt::AlignCenter);
    layout->addWidget(blurb);

    auto* open = new QPushButton(themedIcon(QStringLiteral("folder-open")), tr("Open a model folder…"), this);
    open->setObjectName(QStringLiteral("openModelButton"));
    open->setAccessibleName(tr("Open a model folder"));
    open->setDefault(true);
    open->setMinimumHeight(38);
    open->setIconSize({20, 20});
    QFont openFont = open->font();
    openFont.setBold(true);
    open->setFont(openFont);
    connect(open, &QPushButton::clicked, this, &WelcomePage::openRequested);
    auto* openRow = new QHBoxLayout;
    openRow->addStretch(1);
    openRow->addWidget(open);
    openRow->addStretch(1);
    layout->addLayout(openRow);

    m_recentTitle->setAlignment(Qt::AlignCenter);
    m_recentView->setObjectName(QStringLiteral("recentModels"));
    m_recentView->setAccessibleName(tr("Recent models"));
    m_recentView->setModel(recentModels);
    m_recentView->setMinimumWidth(360);
    m_recentView->setMaximumWidth(480);
    m_recentView->setMaximumHeight(140);
    connect(m_recentView, &QListView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT recentChosen(index.data(vora::app::RecentModelsModel::PathRole).toString());
    });
    connect(recentModels, &QAbstractItemModel::modelReset, this, &WelcomePage::updateRecentVisibility);
    connect(recentModels, &QAbstractItemModel::rowsRemoved, this, &WelcomePage::updateRecentVisibility);
    layout->addWidget(m_recentTitle);
    layout->addWidget(m_recentView, 0, Qt::AlignHCenter);
    layout->addStretch(2);
    updateRecentVisibility();
}

void WelcomePage::updateRecentVisibility()
{
    const bool hasRecent = m_recentModels->rowCount() > 0;
    m_recentTitle->setVisible(hasRecent);
    m_recentView->setVisible(hasRecent);
}

} // namespace vora::ui
