#pragma once
// The settings of the open chat: the generation settings form over the inherited settings (the
// model's defaults with the app-wide defaults applied), the fields this chat sets marked "this chat",
// each with a reset, and "Use the defaults" for all. GUI thread only.
#include "app/values/conversation_settings.h"

#include <QDialog>
#include <QJsonObject>

namespace vora::app {
class AppSettings;
}

namespace vora::ui {

class GenerationSettingsForm;

class ChatSettingsDialog : public QDialog {
    Q_OBJECT
public:
    ChatSettingsDialog(const QString& chatTitle, const vora::app::ConversationSettings& inherited, const QJsonObject& overrides,
                       vora::app::AppSettings* appSettings, QWidget* parent = nullptr);

    QJsonObject overrides() const; // the chat's own keys
    GenerationSettingsForm* form() const { return m_form; }

private:
    GenerationSettingsForm* m_form;
};

} // namespace vora::ui
