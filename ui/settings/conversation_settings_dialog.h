#pragma once
// The system prompt and sampling settings of one conversation, with a way back to the model's defaults
// (from its generation_config.json). GUI thread only.
#include "app/values/conversation_settings.h"

#include <QDialog>

#include <optional>

class QDoubleSpinBox;
class QPlainTextEdit;
class QSpinBox;

namespace vora::ui {

class ConversationSettingsDialog : public QDialog {
    Q_OBJECT
public:
    ConversationSettingsDialog(const vora::app::ConversationSettings& current, const vora::app::ConversationSettings& defaults,
                               QWidget* parent = nullptr);

    // nullopt when the user chose the model's defaults.
    std::optional<vora::app::ConversationSettings> chosenSettings() const;

private:
    void display(const vora::app::ConversationSettings& settings);

    vora::app::ConversationSettings m_defaults;
    bool m_useDefaults = false;
    QPlainTextEdit* m_systemPrompt;
    QDoubleSpinBox* m_temperature;
    QDoubleSpinBox* m_topP;
    QSpinBox* m_topK;
    QSpinBox* m_maxTokens;
    QSpinBox* m_seed;
};

} // namespace vora::ui
