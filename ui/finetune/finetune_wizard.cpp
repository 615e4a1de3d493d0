#include "ui/finetune/finetune_wizard.h"

#include "app/finetune/training_job_queue.h"
#include "ui/finetune/base_model_page.h"
#include "ui/finetune/data_page.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/fit_page.h"
#include "ui/finetune/merge_page.h"
#include "ui/finetune/method_page.h"
#include "ui/finetune/run_page.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace vora::ui {

FinetuneWizard::FinetuneWizard(const FinetuneContext& context, QWidget* parent)
    : QWidget(parent)
    , m_base(new BaseModelPage(context, m_state))
    , m_data(new DataPage(context, m_state))
    , m_method(new MethodPage(context, m_state))
    , m_fit(new FitPage(context, m_state, m_method))
    , m_run(new RunPage(context, m_state))
    , m_merge(new MergePage(context, m_state))
    , m_stack(new QStackedWidget(this))
    , m_back(new QPushButton(tr("Back"), this))
    , m_next(new QPushButton(tr("Next"), this))
    , m_blocker(new QLabel(this))
{
    m_pages = {m_base, m_data, m_method, m_fit, m_run, m_merge};
    auto* layout = new QVBoxLayout(this);
    auto* steps = new QHBoxLayout;
    for (int i = 0; i < m_pages.size(); ++i) {
        auto* label = new QLabel(QStringLiteral("%1. %2").arg(i + 1).arg(m_pages.at(i)->title()), this);
        steps->addWidget(label);
        m_stepLabels.push_back(label);
        m_stack->addWidget(m_pages.at(i));
        connect(m_pages.at(i), &WizardPage::blockerChanged, this, &FinetuneWizard::updateButtons);
    }
    steps->addStretch(1);
    layout->addLayout(steps);
    layout->addWidget(m_stack, 1);
    auto* buttons = new QHBoxLayout;
    m_blocker->setObjectName(QStringLiteral("wizardBlocker"));
    m_blocker->setWordWrap(true);
    buttons->addWidget(m_back);
    buttons->addWidget(m_blocker, 1);
    buttons->addWidget(m_next);
    m_next->setDefault(true);
    layout->addLayout(buttons);
    connect(m_back, &QPushButton::clicked, this, &FinetuneWizard::goBack);
    connect(m_next, &QPushButton::clicked, this, &FinetuneWizard::goNext);
    connect(m_merge, &MergePage::chatRequested, this, &FinetuneWizard::chatRequested);
    show(0);
}

int FinetuneWizard::currentStep() const
{
    return m_stack->currentIndex();
}

void FinetuneWizard::goNext()
{
    WizardPage* page = m_pages.at(currentStep());
    if (currentStep() + 1 < m_pages.size() && page->blocker().isEmpty() && page->leave()) {
        show(currentStep() + 1);
    }
}

void FinetuneWizard::goBack()
{
    if (currentStep() > 0) {
        show(currentStep() - 1);
    }
}

void FinetuneWizard::followTraining(qint64 jobId)
{
    m_state.trainJobId = jobId;
    show(static_cast<int>(m_pages.indexOf(m_run)));
}

void FinetuneWizard::show(int step)
{
    m_stack->setCurrentIndex(step);
    for (int i = 0; i < m_stepLabels.size(); ++i) {
        QFont font = m_stepLabels.at(i)->font();
        font.setBold(i == step);
        m_stepLabels.at(i)->setFont(font);
        m_stepLabels.at(i)->setEnabled(i <= step);
    }
    m_pages.at(step)->enter();
    updateButtons();
}

void FinetuneWizard::updateButtons()
{
    WizardPage* page = m_pages.at(currentStep());
    const QString blocker = page->blocker();
    const bool last = currentStep() + 1 == m_pages.size();
    m_back->setEnabled(currentStep() > 0); // back on the fit page, "Start training" queues another run
    m_next->setVisible(!last);
    m_next->setText(page->nextText());
    m_next->setEnabled(blocker.isEmpty());
    m_blocker->setText(last ? QString() : blocker);
}

} // namespace vora::ui
