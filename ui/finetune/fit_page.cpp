#include "ui/finetune/fit_page.h"

#include "app/finetune/job_error.h"
#include "app/finetune/training_job_queue.h"
#include "app/inference/model_host.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/method_page.h"
#include "ui/finetune/wizard_state.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QStorageInfo>
#include <QVBoxLayout>

#include <algorithm>

namespace vora::ui {

using namespace vora::app;

namespace {

QString verdictColor(FitVerdict verdict)
{
    switch (verdict) {
    case FitVerdict::Fits:
        return QStringLiteral("#2e9e4f");
    case FitVerdict::Tight:
        return QStringLiteral("#c98a00");
    case FitVerdict::DoesNotFit:
        return QStringLiteral("#c0392b");
    }
    return {};
}

// The nearest folder that exists: the run folder is usually not made yet.
QString existingAncestor(QString path)
{
    while (!path.isEmpty() && !QFileInfo::exists(path)) {
        const QString parent = QFileInfo(path).absolutePath();
        if (parent == path) {
            break;
        }
        path = parent;
    }
    return path;
}

} // namespace

FitPage::FitPage(const FinetuneContext& context, WizardState& state, MethodPage* method, QWidget* parent)
    : WizardPage(tr("Fit"), state, parent)
    , m_context(context)
    , m_method(method)
    , m_device(new QComboBox(this))
    , m_verdictLabel(new QLabel(this))
    , m_breakdown(new QLabel(this))
    , m_disk(new QLabel(this))
    , m_teacher(new QLabel(this))
    , m_fitChange(new QLabel(this))
    , m_makeItFit(new QPushButton(tr("Make it fit"), this))
    , m_measure(new QPushButton(tr("Measure"), this))
    , m_stepTime(new QLabel(this))
    , m_chatNote(new QLabel(this))
    , m_unloadChat(new QPushButton(tr("Unload the chat's model"), this))
    , m_trial(new vora::app::StepTimeTrial(context.voraExecutable, this))
{
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    form->addRow(tr("Device"), m_device);
    layout->addLayout(form);
    m_verdictLabel->setObjectName(QStringLiteral("fitVerdict"));
    QFont big = m_verdictLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_verdictLabel->setFont(big);
    layout->addWidget(m_verdictLabel);
    for (QLabel* label : {m_breakdown, m_disk, m_teacher, m_fitChange}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(label);
    }
    m_makeItFit->setToolTip(tr("Apply the next change that lowers memory; repeat until it fits"));
    layout->addWidget(m_makeItFit, 0, Qt::AlignLeft);
    m_chatNote->setObjectName(QStringLiteral("chatModelNote"));
    m_chatNote->setWordWrap(true);
    layout->addWidget(m_chatNote);
    layout->addWidget(m_unloadChat, 0, Qt::AlignLeft);
    m_chatNote->hide();
    m_unloadChat->hide();
    if (m_context.chatModel) {
        connect(m_unloadChat, &QPushButton::clicked, m_context.chatModel, &ModelHost::ejectModel);
        connect(m_context.chatModel, &ModelHost::stateChanged, this, &FitPage::chatModelChanged);
    }
    m_measure->setToolTip(tr("Run %1 training steps in a temporary folder and time them").arg(vora::app::kTrialSteps));
    m_stepTime->setWordWrap(true);
    m_stepTime->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_measure, 0, Qt::AlignLeft);
    layout->addWidget(m_stepTime);
    connect(m_measure, &QPushButton::clicked, this, &FitPage::measureStepTime);
    connect(m_trial, &vora::app::StepTimeTrial::measured, this, [this](const vora::app::StepTiming& timing) {
        m_measure->setText(tr("Measure"));
        const int steps = this->state().values.value(QStringLiteral("max-steps")).toInt();
        QString text = tr("%1 s per step (%2 steps timed, the first left out).").arg(timing.secondsPerStep, 0, 'f', 3).arg(timing.measuredSteps);
        if (steps > 0) {
            text += QLatin1Char(' ') + tr("ETA for %1 steps: %2 s (training steps only; validation passes are not counted).")
                                           .arg(steps).arg(vora::app::trainingEtaSeconds(steps, timing.secondsPerStep), 0, 'f', 0);
        } else {
            text += QLatin1Char(' ') + tr("Set max-steps for an ETA.");
        }
        m_stepTime->setText(text);
    });
    connect(m_trial, &vora::app::StepTimeTrial::failed, this, [this](const QString& message) {
        m_measure->setText(tr("Measure"));
        m_stepTime->setText(tr("The trial failed: %1").arg(message));
    });
    layout->addStretch(1);
    connect(m_device, &QComboBox::currentIndexChanged, this, &FitPage::chooseDevice);
    connect(m_makeItFit, &QPushButton::clicked, this, &FitPage::makeItFit);
}

void FitPage::measureStepTime()
{
    if (m_trial->running()) {
        m_trial->cancel();
        m_measure->setText(tr("Measure"));
        m_stepTime->setText(tr("Measurement cancelled."));
        return;
    }
    m_trial->start(m_method->catalog().arguments(state().values));
    m_measure->setText(tr("Cancel measuring"));
    m_stepTime->setText(tr("Measuring %1 short steps…").arg(vora::app::kTrialSteps));
}

void FitPage::refreshDevices()
{
    const QString chosen = m_device->currentData().toString();
    m_devices = m_context.devices ? m_context.devices() : QList<DeviceChoice>();
    const QSignalBlocker quiet(m_device);
    m_device->clear();
    for (const DeviceChoice& device : m_devices) {
        m_device->addItem(device.label, device.id);
    }
    m_device->setCurrentIndex(std::max(0, m_device->findData(chosen)));
}

void FitPage::chatModelChanged()
{
    if (!m_need) {
        return; // not estimated yet: entering the step measures afresh
    }
    // Loading or unloading moves memory: measure again; the trainer's need is unchanged.
    refreshDevices();
    showVerdict();
}

void FitPage::enter()
{
    refreshDevices();
    const QString device = state().values.value(QStringLiteral("device")).toString();
    const int index = m_device->findData(device);
    chooseDevice(index >= 0 ? index : m_device->currentIndex()); // the CPU when the method's device is not listed
}

void FitPage::chooseDevice(int index)
{
    if (m_device->currentIndex() != index) {
        const QSignalBlocker quiet(m_device);
        m_device->setCurrentIndex(index);
    }
    if (index >= 0 && index < m_devices.size()) {
        m_method->setOptionValues({{QStringLiteral("device"), m_devices.at(index).id}});
    }
    estimate();
}

void FitPage::makeItFit()
{
    const std::optional<FitChange> change = nextFitChange(state().values, m_method->catalog());
    if (!change) {
        m_fitChange->setText(tr("Nothing left to lower: choose a smaller base model, a shorter max text length or another device."));
        return;
    }
    m_method->setOptionValues(change->values);
    estimate();
    m_fitChange->setText(tr("Changed: %1").arg(change->description));
}

void FitPage::estimate()
{
    m_need.reset();
    m_error.clear();
    try {
        m_need = runMemoryEstimate(m_context.voraExecutable, m_method->catalog().arguments(state().values));
    } catch (const JobError& error) {
        m_error = QString::fromUtf8(error.what());
    }
    showVerdict();
}

void FitPage::showVerdict()
{
    m_verdict.reset();
    const int index = m_device->currentIndex();
    const bool listed = index >= 0 && index < m_devices.size();
    const qint64 freeBytes = listed ? m_devices.at(index).freeBytes : 0;
    const qint64 chatBytes = listed ? chatModelBytesOn(m_context.chatModel, m_devices.at(index).id) : 0;
    if (m_need) {
        const MemoryNeed& need = *m_need;
        m_verdict = fitVerdict(need.totalBytes, freeBytes);
        m_verdictLabel->setText(QStringLiteral("<span style='color:%1'>%2</span> · %3 of %4 free")
                                    .arg(verdictColor(*m_verdict), fitVerdictText(*m_verdict), formatBytes(need.totalBytes), formatBytes(freeBytes)));
        m_breakdown->setText(tr("Weights %1 · trainable parameters with optimizer state and gradients %2 (%3 parameters) · "
                                "activations %4 · logits %5%6")
                                 .arg(formatBytes(need.weightsBytes), formatBytes(need.trainableStateBytes), formatCount(need.trainableParameters),
                                      formatBytes(need.activationBytes), formatBytes(need.logitsBytes),
                                      need.teacherBytes > 0 ? tr(" · teacher %1").arg(formatBytes(need.teacherBytes)) : QString()));
        const QString runFolder = state().values.value(QStringLiteral("out")).toString();
        const qint64 freeDisk = QStorageInfo(existingAncestor(runFolder)).bytesAvailable();
        const int kept = checkpointsKept(state().values);
        const qint64 merged = state().base ? state().base->diskBytes : 0;
        const qint64 diskNeed = need.checkpointBytes() * kept + merged;
        m_disk->setText(tr("Disk: a checkpoint takes about %1 (%2 kept), the merged model about %3; %4 free where the run goes%5")
                            .arg(formatBytes(need.checkpointBytes()))
                            .arg(kept)
                            .arg(formatBytes(merged), formatBytes(freeDisk),
                                 diskNeed > freeDisk ? tr(" — <b>not enough</b>") : QString()));
    } else {
        m_verdictLabel->setText(tr("Could not estimate"));
        m_breakdown->setText(m_error.toHtmlEscaped());
        m_disk->clear();
    }
    m_chatNote->setVisible(chatBytes > 0);
    m_unloadChat->setVisible(chatBytes > 0);
    if (chatBytes > 0) {
        const FitVerdict without = fitVerdict(m_need ? m_need->totalBytes : 0, freeBytes + chatBytes);
        m_chatNote->setText(tr("The chat's model %1 holds %2 on this device, counted above as in use. Unloaded, %3 would be free: %4.")
                                .arg(m_context.chatModel->info().name.toHtmlEscaped(), formatBytes(chatBytes),
                                     formatBytes(freeBytes + chatBytes), m_need ? fitVerdictText(without) : tr("not estimated")));
    }
    const bool see = state().values.value(QStringLiteral("stage")).toString() == QLatin1String("pretrain");
    const bool teacher = !state().values.value(QStringLiteral("distill")).toString().isEmpty();
    m_teacher->setVisible(see && !teacher);
    m_teacher->setText(tr("“Teach it to see” runs without a distillation teacher: the vision LoRA learns from the captions' "
                          "language loss alone. VoRA also distils a vision model's features (Advanced → Distill), which learns faster."));
    m_makeItFit->setEnabled(m_verdict && *m_verdict != FitVerdict::Fits);
    Q_EMIT blockerChanged();
}

QString FitPage::blocker() const
{
    // The trainer refuses a used run folder (it never overwrites a run unasked).
    const QDir run(state().values.value(QStringLiteral("out")).toString());
    if (!run.path().isEmpty() && run.exists() && !run.isEmpty()) {
        return tr("The run folder %1 is in use: choose another on the Method step").arg(QDir::toNativeSeparators(run.path()));
    }
    if (!m_error.isEmpty()) {
        return tr("The memory estimate failed");
    }
    if (m_verdict == FitVerdict::DoesNotFit) {
        return tr("It does not fit: make it fit or choose another device");
    }
    return {};
}

bool FitPage::leave()
{
    try {
        const bool see = state().values.value(QStringLiteral("stage")).toString() == QLatin1String("pretrain");
        const QString title = QStringLiteral("%1 · %2").arg(state().base ? state().base->name : QString(), see ? tr("teach it to see") : tr("teach it a task"));
        state().trainJobId = m_context.queue->enqueueTraining(title, m_method->catalog().arguments(state().values));
        return true;
    } catch (const std::exception& error) {
        m_error = QString::fromUtf8(error.what());
        m_breakdown->setText(tr("Could not queue the training: %1").arg(m_error.toHtmlEscaped()));
        Q_EMIT blockerChanged();
        return false;
    }
}

} // namespace vora::ui
