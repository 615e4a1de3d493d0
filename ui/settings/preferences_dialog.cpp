#include "ui/common/dialog_buttons.h"
#include "ui/settings/preferences_dialog.h"

#include "app/runtime_summary.h"
#include "app/settings/app_settings.h"
#include "ui/common/tone_label.h"
#include "ui/settings/generation_settings_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace vora::ui {
namespace {

ToneLabel* explanation(const QString& text, QWidget* parent)
{
    auto* label = new ToneLabel(text, ToneLabel::Tone::Secondary, parent);
    label->setWordWrap(true);
    return label;
}

} // namespace

PreferencesDialog::PreferencesDialog(vora::app::AppSettings* appSettings, const vora::app::ConversationSettings& modelDefaults,
                                     QWidget* parent)
    : QDialog(parent)
    , m_appSettings(appSettings)
    , m_form(new GenerationSettingsForm(tr("changed"), appSettings, this))
{
    setWindowTitle(tr("Preferences"));
    setObjectName(QStringLiteral("preferences"));
    resize(680, 760);
    auto* layout = new QVBoxLayout(this);
    auto* tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("preferenceTabs"));

    auto* chats = new QWidget(tabs);
    auto* chatsLayout = new QVBoxLayout(chats);
    chatsLayout->addWidget(explanation(tr("Every chat starts from these settings and follows them unless it sets its own "
                                          "(Chat settings). Fields marked \u25cf changed differ from the loaded model's "
                                          "own defaults (its generation_config.json)."),
                                       chats));
    auto* scroll = new QScrollArea(chats);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_form);
    chatsLayout->addWidget(scroll, 1);
    m_form->setLayers(modelDefaults, appSettings->chatDefaults());
    tabs->addTab(chats, tr("New chats"));
    tabs->addTab(buildModelPage(), tr("Model"));
    tabs->addTab(buildStartupPage(), tr("Startup"));
    layout->addWidget(tabs, 1);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    useTextOnlyButtons(buttons);
    layout->addWidget(buttons);
}

QWidget* PreferencesDialog::buildModelPage()
{
    auto* page = new QWidget(this);
    auto* form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const vora::app::ModelLoadOptions options = m_appSettings->loadOptions();
    const vora::app::RuntimeSummary runtime = vora::app::runtimeSummary();

    m_device = new QComboBox(page);
    m_device->setObjectName(QStringLiteral("deviceChoice"));
    m_device->setAccessibleName(tr("Device"));
    m_device->addItem(tr("Automatic (%1)").arg(runtime.bestDevice), QString());
    for (const vora::app::DeviceChoice& device : runtime.devices) {
        m_device->addItem(device.label, device.id);
    }
    m_device->setCurrentIndex(std::max(0, m_device->findData(options.device)));
    auto* deviceColumn = new QVBoxLayout;
    deviceColumn->addWidget(m_device);
    deviceColumn->addWidget(explanation(tr("Where the model runs. A GPU (cuda) is many times faster; the model must fit "
                                           "its free memory. Free memory as of opening this dialog."),
                                        page));
    form->addRow(tr("Device:"), deviceColumn);

    m_dtype = new QComboBox(page);
    m_dtype->setObjectName(QStringLiteral("dtypeChoice"));
    m_dtype->setAccessibleName(tr("Number format"));
    m_dtype->addItem(tr("Automatic (float32 on the CPU, bfloat16 on a GPU)"), QStringLiteral("auto"));
    m_dtype->addItem(tr("bfloat16 (half the memory of float32)"), QStringLiteral("bfloat16"));
    m_dtype->addItem(tr("float16"), QStringLiteral("float16"));
    m_dtype->addItem(tr("float32 (exact, twice the memory)"), QStringLiteral("float32"));
    m_dtype->setCurrentIndex(std::max(0, m_dtype->findData(options.dtype)));
    auto* dtypeColumn = new QVBoxLayout;
    dtypeColumn->addWidget(m_dtype);
    dtypeColumn->addWidget(explanation(tr("The number format of the weights in memory."), page));
    form->addRow(tr("Number format:"), dtypeColumn);

    m_context = new QSpinBox(page);
    m_context->setObjectName(QStringLiteral("contextChoice"));
    m_context->setAccessibleName(tr("Context length"));
    m_context->setRange(0, 131072);
    m_context->setSingleStep(1024);
    m_context->setSpecialValueText(tr("the model's own"));
    m_context->setSuffix(tr(" tokens"));
    m_context->setValue(static_cast<int>(options.maxContext));
    auto* contextColumn = new QVBoxLayout;
    contextColumn->addWidget(m_context);
    contextColumn->addWidget(explanation(tr("How many tokens the model keeps in view: the conversation, its images "
                                            "(e.g. 1,024 tokens each at 448 pixels) and the answer. Larger takes more "
                                            "memory; beyond what the model was trained for, answers degrade. "
                                            "\u201cthe model's own\u201d: its max_position_embeddings, at most 32,768."),
                                         page));
    form->addRow(tr("Context length:"), contextColumn);

    m_attentionDetail = new QComboBox(page);
    m_attentionDetail->setObjectName(QStringLiteral("attentionDetailChoice"));
    m_attentionDetail->setAccessibleName(tr("Attention maps"));
    m_attentionDetail->addItem(tr("Off"), QVariant::fromValue(int(vora::app::AttentionDetailLevel::Off)));
    m_attentionDetail->addItem(tr("Mean over layers and heads"), QVariant::fromValue(int(vora::app::AttentionDetailLevel::Mean)));
    m_attentionDetail->addItem(tr("Per layer"), QVariant::fromValue(int(vora::app::AttentionDetailLevel::Layers)));
    m_attentionDetail->addItem(tr("Per layer and head (largest)"), QVariant::fromValue(int(vora::app::AttentionDetailLevel::Heads)));
    m_attentionDetail->setCurrentIndex(int(m_appSettings->attentionDetail()));
    m_attentionLimit = new QSpinBox(page);
    m_attentionLimit->setObjectName(QStringLiteral("attentionLimitChoice"));
    m_attentionLimit->setAccessibleName(tr("Largest attention map per answer"));
    m_attentionLimit->setRange(0, 4096);
    m_attentionLimit->setSpecialValueText(tr("no limit"));
    m_attentionLimit->setSuffix(tr(" MiB per answer"));
    m_attentionLimit->setValue(int(m_appSettings->attentionMaxBytes() >> 20));
    auto* attentionColumn = new QVBoxLayout;
    attentionColumn->addWidget(m_attentionDetail);
    attentionColumn->addWidget(m_attentionLimit);
    attentionColumn->addWidget(explanation(tr("Where each answer looked in its images, saved with the conversation. A map "
                                              "larger than the limit keeps less detail."),
                                           page));
    form->addRow(tr("Attention maps:"), attentionColumn);

    auto* reload = new QPushButton(tr("Save and reload the model"), page);
    reload->setObjectName(QStringLiteral("reloadButton"));
    connect(reload, &QPushButton::clicked, this, [this] {
        save();
        Q_EMIT reloadRequested();
        accept();
    });
    form->addRow(explanation(tr("These apply the next time a model is loaded."), page));
    form->addRow(QString(), reload);
    return page;
}

QWidget* PreferencesDialog::buildStartupPage()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_reopen = new QCheckBox(tr("Reopen the last model and conversation at launch"), page);
    m_reopen->setObjectName(QStringLiteral("reopenChoice"));
    m_reopen->setChecked(m_appSettings->reopenLastSession());
    layout->addWidget(m_reopen);
    layout->addWidget(explanation(tr("Off: VoRA Studio starts with no model loaded and a new chat."), page));
    layout->addStretch(1);
    return page;
}

void PreferencesDialog::save()
{
    m_appSettings->setChatDefaults(m_form->overrides());
    vora::app::ModelLoadOptions options;
    options.device = m_device->currentData().toString();
    options.dtype = m_dtype->currentData().toString();
    options.maxContext = m_context->value();
    m_loadOptionsChanged = !(options == m_appSettings->loadOptions());
    m_appSettings->setLoadOptions(options);
    m_appSettings->setReopenLastSession(m_reopen->isChecked());
    m_appSettings->setAttentionCapture(vora::app::AttentionDetailLevel(m_attentionDetail->currentData().toInt()),
                                       qint64(m_attentionLimit->value()) << 20);
}

} // namespace vora::ui
