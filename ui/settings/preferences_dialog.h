#pragma once
// App-wide preferences: the defaults every chat inherits (the generation settings form over the
// model's own defaults, the fields set here marked "changed"), how models are loaded (device with its
// free memory, dtype, context length: used at the next load, with "Reload now"), and whether a launch
// reopens the last model and conversation. Writes AppSettings on Save. GUI thread only.
#include "app/values/conversation_settings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace vora::app {
class AppSettings;
}

namespace vora::ui {

class GenerationSettingsForm;

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    // modelDefaults: the loaded model's own settings (the layer under the app's defaults).
    PreferencesDialog(vora::app::AppSettings* appSettings, const vora::app::ConversationSettings& modelDefaults,
                      QWidget* parent = nullptr);

    GenerationSettingsForm* form() const { return m_form; }
    QComboBox* deviceChoice() const { return m_device; }
    // Saves everything into AppSettings (also what Save does).
    void save();
    bool loadOptionsChanged() const { return m_loadOptionsChanged; }

Q_SIGNALS:
    // "Reload now": the load options were saved; the open model should be loaded again with them.
    void reloadRequested();

private:
    QWidget* buildModelPage();
    QWidget* buildStartupPage();

    vora::app::AppSettings* m_appSettings;
    GenerationSettingsForm* m_form;
    QComboBox* m_device = nullptr;
    QComboBox* m_dtype = nullptr;
    QSpinBox* m_context = nullptr;
    QCheckBox* m_reopen = nullptr;
    QComboBox* m_attentionDetail = nullptr;
    QSpinBox* m_attentionLimit = nullptr; // MiB per answer
    bool m_loadOptionsChanged = false;
};

} // namespace vora::ui
