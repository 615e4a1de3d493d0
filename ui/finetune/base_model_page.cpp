#include "ui/finetune/base_model_page.h"

#include "app/finetune/job_error.h"
#include "app/models/recent_models_model.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/wizard_state.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace vora::ui {

using vora::app::BaseModelInfo;

BaseModelPage::BaseModelPage(const FinetuneContext& context, WizardState& state, QWidget* parent)
    : WizardPage(tr("Base model"), state, parent)
    , m_context(context)
    , m_list(new QListWidget(this))
    , m_facts(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("The model to teach. Its weights stay as they are: training adds LoRA adapters "
                                "(and, to teach it to see, a vision embedding) that a merge folds in later."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_list->setMaximumHeight(220);
    m_list->setVisible(false); // until there is something to list
    layout->addWidget(m_list);
    auto* choose = new QPushButton(tr("Choose folder…"), this);
    auto* row = new QHBoxLayout;
    row->addWidget(choose);
    row->addStretch(1);
    layout->addLayout(row);
    m_facts->setWordWrap(true);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setObjectName(QStringLiteral("baseModelFacts"));
    layout->addWidget(m_facts);
    layout->addStretch(1);

    connect(choose, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose a model folder"));
        if (!folder.isEmpty()) {
            chooseModel(folder);
        }
    });
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item) {
            chooseModel(item->data(Qt::UserRole).toString());
        }
    });
}

void BaseModelPage::enter()
{
    fillCandidates(); // the recent models may have changed since the page was last shown
}

void BaseModelPage::fillCandidates()
{
    QStringList folders;
    if (!m_context.demoModelDir.isEmpty() && QFileInfo::exists(m_context.demoModelDir + QStringLiteral("/config.json"))) {
        folders.push_back(m_context.demoModelDir);
    }
    if (m_context.recentModels) {
        for (const QString& path : m_context.recentModels->paths()) {
            if (!folders.contains(path) && QFileInfo::exists(path)) {
                folders.push_back(path);
            }
        }
    }
    const QSignalBlocker quiet(m_list); // refilling is no choice of the user's
    m_list->clear();
    for (const QString& folder : folders) {
        const bool demo = folder == m_context.demoModelDir;
        auto* item = new QListWidgetItem(demo ? tr("%1 (demo model)").arg(QFileInfo(folder).fileName()) : QFileInfo(folder).fileName(), m_list);
        item->setData(Qt::UserRole, folder);
        item->setToolTip(QDir::toNativeSeparators(folder));
        if (state().base && state().base->folder == QDir(folder).absolutePath()) {
            m_list->setCurrentItem(item);
        }
    }
    m_list->setVisible(!folders.isEmpty());
    if (folders.isEmpty()) {
        m_facts->setText(tr("No recent models. Choose a model folder (a Hugging Face style folder with config.json and "
                            "*.safetensors)."));
    }
}

void BaseModelPage::chooseModel(const QString& folder)
{
    try {
        const BaseModelInfo info = vora::app::readBaseModelInfo(folder);
        state().base = info;
        m_problem.clear();
        const QString vision = info.sees ? tr("It already sees (a VoRA model): training continues its vision LoRA.")
                                         : tr("It does not see yet: “Teach it to see” adds a fresh vision embedding and LoRA.");
        m_facts->setText(tr("<b>%1</b><br>%2<br>%3 parameters · %4 on disk<br>%5")
                             .arg(info.name.toHtmlEscaped(), info.architecture.toHtmlEscaped(), vora::app::formatCount(info.parameters),
                                  vora::app::formatBytes(info.diskBytes), vision));
    } catch (const vora::app::JobError& error) {
        state().base.reset();
        m_problem = QString::fromUtf8(error.what());
        m_facts->setText(tr("<b>Not a model folder.</b> %1").arg(m_problem.toHtmlEscaped()));
    }
    Q_EMIT blockerChanged();
}

QString BaseModelPage::blocker() const
{
    if (!m_problem.isEmpty()) {
        return tr("That folder is not a model");
    }
    return state().base ? QString() : tr("Choose a model");
}

} // namespace vora::ui
