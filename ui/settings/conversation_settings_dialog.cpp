#include "ui/settings/conversation_settings_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>

#include <limits>

namespace vora::ui {

ConversationSettingsDialog::ConversationSettingsDialog(const vora::app::ConversationSettings& current,
                                                       const vora::app::ConversationSettings& defaults, QWidget* parent)
    : QDialog(parent)
    , m_defaults(defaults)
    , m_systemPrompt(new QPlainTextEdit(this))
    , m_temperature(new QDoubleSpinBox(this))
    , m_topP(new QDoubleSpinBox(this))
    , m_topK(new QSpinBox(this))
    , m_maxTokens(new QSpinBox(this))
    , m_seed(new QSpinBox(this))
{
    setWindowTitle(tr("Conversation settings"));
    setObjectName(QStringLiteral("conversationSettings"));
    auto* form = new QFormLayout(this);
    m_systemPrompt->setAccessibleName(tr("System prompt"));
    m_systemPrompt->setPlaceholderText(tr("You are a helpful assistant."));
    m_systemPrompt->setMaximumHeight(100);
    m_temperature->setAccessibleName(tr("Temperature"));
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.05);
    m_temperature->setToolTip(tr("0 picks the most likely token every time"));
    m_topP->setAccessibleName(tr("Top-p"));
    m_topP->setRange(0.01, 1);
    m_topP->setSingleStep(0.05);
    m_topK->setAccessibleName(tr("Top-k"));
    m_topK->setRange(0, 1000);
    m_topK->setSpecialValueText(tr("off"));
    m_maxTokens->setAccessibleName(tr("Maximum new tokens"));
    m_maxTokens->setRange(1, 32768);
    m_seed->setAccessibleName(tr("Seed"));
    m_seed->setRange(-1, std::numeric_limits<int>::max());
    m_seed->setSpecialValueText(tr("random"));
    form->addRow(tr("System prompt:"), m_systemPrompt);
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Top-p:"), m_topP);
    form->addRow(tr("Top-k:"), m_topK);
    form->addRow(tr("Max new tokens:"), m_maxTokens);
    form->addRow(tr("Seed:"), m_seed);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults,
                                         this);
    buttons->button(QDialogButtonBox::RestoreDefaults)->setText(tr("Model defaults"));
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        display(m_defaults);
        m_useDefaults = true;
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    display(current);
}

void ConversationSettingsDialog::display(const vora::app::ConversationSettings& settings)
{
    const vora::core::SamplingParams& sampling = settings.generation.sampling;
    m_systemPrompt->setPlainText(settings.systemPrompt);
    m_temperature->setValue(sampling.temperature);
    m_topP->setValue(sampling.topP);
    m_topK->setValue(sampling.topK);
    m_maxTokens->setValue(settings.generation.stop.maxNewTokens);
    m_seed->setValue(static_cast<int>(std::clamp<qint64>(sampling.seed, -1, std::numeric_limits<int>::max())));
}

std::optional<vora::app::ConversationSettings> ConversationSettingsDialog::chosenSettings() const
{
    vora::app::ConversationSettings settings = m_defaults;
    vora::core::SamplingParams& sampling = settings.generation.sampling;
    settings.systemPrompt = m_systemPrompt->toPlainText().trimmed();
    sampling.temperature = m_temperature->value();
    sampling.topP = m_topP->value();
    sampling.topK = m_topK->value();
    settings.generation.stop.maxNewTokens = m_maxTokens->value();
    sampling.seed = m_seed->value();
    if (m_useDefaults && settings == m_defaults) {
        return std::nullopt;
    }
    return settings;
}

} // namespace vora::ui
