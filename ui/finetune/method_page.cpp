#include "ui/finetune/method_page.h"

#include "app/finetune/job_error.h"
#include "ui/finetune/finetune_context.h"
#include "ui/finetune/option_form.h"
#include "ui/finetune/wizard_state.h"

#include <QButtonGroup>
#include <QClipboard>
#include <QDateTime>
#include <QDir>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace vora::ui {

using vora::app::JobError;
using vora::app::TrainOptionCatalog;

namespace {

// The advanced settings, in the order shown; each editor comes from the catalog.
const QStringList kAdvancedFlags = {
    QStringLiteral("lora-rank"),    QStringLiteral("lora-layers"),  QStringLiteral("lr"),
    QStringLiteral("schedule"),     QStringLiteral("warmup-steps"), QStringLiteral("max-steps"),
    QStringLiteral("epochs"),       QStringLiteral("batch-size"),   QStringLiteral("grad-accum"),
    QStringLiteral("max-text-len"), QStringLiteral("gradient-checkpointing"), QStringLiteral("dtype"),
    QStringLiteral("device"),       QStringLiteral("image-size"),   QStringLiteral("vision-width"),
    QStringLiteral("save-every"),   QStringLiteral("val-every"),    QStringLiteral("distill"),
};

QPushButton* presetCard(const QString& title, const QString& text, QWidget* parent)
{
    auto* button = new QPushButton(title + QLatin1Char('\n') + text, parent);
    button->setCheckable(true);
    button->setMinimumHeight(64);
    button->setStyleSheet(QStringLiteral("text-align: left; padding: 8px;"));
    return button;
}

} // namespace

MethodPage::MethodPage(const FinetuneContext& context, WizardState& state, QWidget* parent)
    : WizardPage(tr("Method"), state, parent)
    , m_context(context)
    , m_see(presetCard(tr("Teach it to see (VoRA pre-training)"),
                       tr("Vision LoRA and a vision embedding learn from image–caption pairs."), this))
    , m_task(presetCard(tr("Teach it a task (LoRA fine-tuning)"),
                        tr("LoRA adapters learn your question–answer pairs; the rest stays frozen."), this))
    , m_runFolder(new QLineEdit(this))
    , m_command(new QPlainTextEdit(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* presets = new QHBoxLayout;
    presets->addWidget(m_see);
    presets->addWidget(m_task);
    layout->addLayout(presets);
    auto* group = new QButtonGroup(this);
    group->addButton(m_see);
    group->addButton(m_task);
    connect(m_see, &QPushButton::clicked, this, [this] { choosePreset(TrainPreset::TeachToSee); });
    connect(m_task, &QPushButton::clicked, this, [this] { choosePreset(TrainPreset::TeachTask); });

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(new QLabel(tr("Run folder"), this));
    folderRow->addWidget(m_runFolder, 1);
    layout->addLayout(folderRow);
    connect(m_runFolder, &QLineEdit::textChanged, this, &MethodPage::update);

    auto* advanced = new QGroupBox(tr("Advanced settings"), this);
    advanced->setObjectName(QStringLiteral("advancedSettings"));
    auto* scroll = new QScrollArea(advanced);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* advancedLayout = new QVBoxLayout(advanced);
    advancedLayout->addWidget(scroll);
    layout->addWidget(advanced, 1);

    auto* commandRow = new QHBoxLayout;
    m_command->setReadOnly(true);
    m_command->setMaximumHeight(72);
    m_command->setObjectName(QStringLiteral("commandLine"));
    auto* copy = new QPushButton(tr("Copy"), this);
    copy->setObjectName(QStringLiteral("copyCommand"));
    copy->setToolTip(tr("Copy the command line: it runs the same training in a terminal"));
    connect(copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(commandLine()); });
    commandRow->addWidget(m_command, 1);
    commandRow->addWidget(copy, 0, Qt::AlignTop);
    layout->addLayout(commandRow);
}

void MethodPage::buildForm()
{
    try {
        m_catalog = TrainOptionCatalog::load(m_context.voraExecutable);
    } catch (const JobError& error) {
        m_catalogError = QString::fromUtf8(error.what());
        m_command->setPlainText(m_catalogError);
        return;
    }
    m_form = new OptionForm(m_catalog, kAdvancedFlags);
    findChild<QGroupBox*>(QStringLiteral("advancedSettings"))->findChild<QScrollArea*>()->setWidget(m_form);
    connect(m_form, &OptionForm::changed, this, &MethodPage::update);
}

void MethodPage::enter()
{
    if (!m_form && m_catalogError.isEmpty()) {
        buildForm();
        if (m_form) {
            choosePreset(state().base && !state().base->sees ? TrainPreset::TeachToSee : TrainPreset::TeachTask);
        }
    }
    if (m_runFolder->text().isEmpty() && state().base) {
        setRunFolder(QDir(m_context.runsDirectory)
                         .filePath(QStringLiteral("%1-%2").arg(state().base->name, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))));
    }
    if (m_form) {
        m_form->setValues(state().values); // the fit page may have changed some
        fitTextLengthToData();
    }
    update();
}

void MethodPage::fitTextLengthToData()
{
    // The trainer's default (2048 text tokens) makes the fit step plan activations for samples far longer
    // than most data sets have; the data check knows the longest, so the default follows it (rounded up to
    // 64, at most 2048). Changing the data sets it again; otherwise the user's value stays.
    if (!state().check || state().check->maxTextTokens <= 0 || m_lengthFittedFor == state().dataFile) {
        return;
    }
    m_lengthFittedFor = state().dataFile;
    m_form->setValues({{QStringLiteral("max-text-len"), fittedTextLength(state().check->maxTextTokens)}});
}

int fittedTextLength(int longestSample)
{
    return std::min(2048, std::max(64, (longestSample + 63) / 64 * 64));
}

void MethodPage::choosePreset(TrainPreset preset)
{
    m_preset = preset;
    (preset == TrainPreset::TeachToSee ? m_see : m_task)->setChecked(true);
    if (!m_form) {
        return;
    }
    const int layers = state().base ? state().base->layers : 24;
    const qint64 width = state().base ? state().base->width : 4096;
    // VoRA pre-training puts rank-1024 LoRA on the first 24 blocks; a task needs far fewer parameters.
    // Both stay below half the model width (a rank beyond it adds nothing).
    const bool see = preset == TrainPreset::TeachToSee;
    const qint64 rank = std::max<qint64>(4, std::min<qint64>(see ? 1024 : 64, width / 2));
    m_form->setValues({{QStringLiteral("lora-rank"), static_cast<int>(rank)},
                       {QStringLiteral("lora-layers"), std::min(layers, 24)},
                       {QStringLiteral("lr"), see ? 2e-4 : 1e-4},
                       {QStringLiteral("schedule"), see ? QStringLiteral("cosine") : QStringLiteral("constant_with_warmup")},
                       {QStringLiteral("val-every"), 50}});
}

void MethodPage::setOptionValues(const QJsonObject& values)
{
    if (m_form) {
        m_form->setValues(values);
    }
}

void MethodPage::setRunFolder(const QString& folder)
{
    m_runFolder->setText(folder);
}

QPushButton* MethodPage::presetButton(TrainPreset preset) const
{
    return preset == TrainPreset::TeachToSee ? m_see : m_task;
}

void MethodPage::update()
{
    if (!m_form || !state().base) {
        return;
    }
    QJsonObject values = m_form->values();
    values.insert(QStringLiteral("model"), state().base->folder);
    values.insert(QStringLiteral("data"), QJsonArray{state().dataFile});
    if (!state().imageRoot.isEmpty()) {
        values.insert(QStringLiteral("image-root"), state().imageRoot);
    }
    if (!state().validationFile.isEmpty()) {
        values.insert(QStringLiteral("val-data"), QJsonArray{state().validationFile});
    } else if (state().validationPercent > 0) {
        values.insert(QStringLiteral("val-share"), state().validationPercent / 100.0);
    } else {
        values.remove(QStringLiteral("val-every")); // no validation data: nothing to validate on
    }
    values.insert(QStringLiteral("out"), m_runFolder->text());
    const bool see = m_preset == TrainPreset::TeachToSee;
    values.insert(QStringLiteral("stage"), see ? QStringLiteral("pretrain") : QStringLiteral("finetune"));
    if (!see) {
        values.insert(QStringLiteral("finetune-params"), QStringLiteral("lora"));
    }
    state().values = values;
    try {
        m_command->setPlainText(vora::app::shellCommandLine(m_context.voraExecutable, m_catalog.arguments(values)));
        m_valuesError.clear();
    } catch (const JobError& error) {
        m_valuesError = QString::fromUtf8(error.what());
        m_command->setPlainText(m_valuesError);
    }
    Q_EMIT blockerChanged();
}

QString MethodPage::commandLine() const
{
    return m_valuesError.isEmpty() ? m_command->toPlainText() : QString();
}

QString MethodPage::blocker() const
{
    if (!m_catalogError.isEmpty()) {
        return tr("`vora train` could not be asked for its options");
    }
    if (m_runFolder->text().trimmed().isEmpty()) {
        return tr("Choose a run folder");
    }
    return m_valuesError.isEmpty() ? QString() : m_valuesError;
}

} // namespace vora::ui
